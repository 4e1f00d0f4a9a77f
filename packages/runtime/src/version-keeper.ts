import { inUseByOrchestrators, PeerRegistry } from '@recmesh/bus';
import { logReload, type ReloadOutcome } from './reload-log';
import type { ServiceContext } from './run-service';

/** The model versions a shard or worker holds (@recmesh/model-repository's RepositoryVersions). */
export interface VersionedHoldings<R extends ReloadOutcome> {
  /** Releases retiring versions nobody needs; resolves with what it released. */
  sweep(inUse: (model: string, version: number) => boolean): Promise<readonly unknown[]>;
  reload(): Promise<R>;
}

/**
 * Keeps a service's model versions: every heartbeat, releases retiring versions that no live
 * orchestrator lists as in use (and announces when one went); `reload` rescans the repository
 * and logs what happened. `stop` ends both.
 */
export function keepVersions<R extends ReloadOutcome>(
  context: ServiceContext,
  holdings: VersionedHoldings<R>,
): { reload: () => Promise<R>; stop: () => void } {
  const { logger } = context;
  const peers = new PeerRegistry(context.nc, context.config.mesh);
  peers.start();
  const sweeper = setInterval(() => {
    holdings.sweep(inUseByOrchestrators(peers)).then(
      (released) => {
        if (released.length > 0) context.announceNow();
      },
      (err: unknown) => logger.error({ err: String(err) }, 'releasing a model version failed'),
    );
  }, context.config.heartbeatMs);
  sweeper.unref();
  return {
    reload: async () => {
      const report = await holdings.reload();
      logReload(logger, report, 'model repository reloaded');
      return report;
    },
    stop: () => {
      clearInterval(sweeper);
      peers.stop();
    },
  };
}
