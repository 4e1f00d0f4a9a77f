import type { Logger } from '@recmesh/telemetry';

/** A reload's outcome as services report it (@recmesh/model-repository's ReloadReport). */
export interface ReloadOutcome {
  readonly refused: readonly { model: string; version: number; error: string }[];
}

/** Logs what a repository (re)load did: the report, and every refused version as an error. */
export function logReload(logger: Logger, report: ReloadOutcome, message: string): void {
  logger.info(report, message);
  for (const r of report.refused)
    logger.error({ model: r.model, version: r.version, err: r.error }, 'model version refused');
}
