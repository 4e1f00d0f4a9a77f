import { Command, Option } from 'commander';
import { newestVersions } from '@recmesh/model-repository';
import { startLocalMesh } from '../local-mesh';
import { addMeshFlags, num, type MeshFlags } from '../mesh-options';
import { info, table } from '../output';

export function upCommand(): Command {
  const command = new Command('up').description(
    'start the whole mesh on loopback (and a NATS server if none answers); Ctrl-C stops it',
  );
  addMeshFlags(command, { models: 'rmc1,rmc2,rmc3' })
    .addOption(
      new Option('--port <n>', 'orchestrator (RankingService) port')
        .default(50051)
        .argParser(num('--port', { int: true, min: 0, max: 65535 })),
    )
    .addOption(new Option('--mesh <name>', 'mesh name (prefixes NATS subjects)').default('default'))
    .action(async (opts: MeshFlags & { port: number; mesh: string }) => {
      // With a model repository the built-in models are served only when asked for.
      if (
        opts.modelRepository !== undefined &&
        command.getOptionValueSource('models') === 'default'
      )
        opts.models = '';
      info(
        `starting recmesh: models ${opts.models || '(none built in)'}${opts.modelRepository === undefined ? '' : `, repository ${opts.modelRepository}`}, row scale ${opts.rowScale}, ${opts.shards} shard group(s), ${opts.workers} dense worker(s)`,
      );
      const mesh = await startLocalMesh({ ...opts, log: info });
      const rows = [
        ['SERVICE', 'ROLE', 'GRPC', 'METRICS', 'PID', 'LOG'],
        ...mesh.services.map((s) => [
          s.name,
          s.role,
          s.address,
          `http://127.0.0.1:${s.metricsPort}/metrics`,
          String(s.pid),
          s.logFile,
        ]),
      ];
      process.stdout.write(`${table(rows)}\n\n`);
      process.stdout.write(
        `NATS       ${mesh.natsUrl} (${mesh.startedNats ? 'started by recmesh' : 'already running'})\n`,
      );
      process.stdout.write(`plan       ${mesh.planFile}\n`);
      process.stdout.write(`books      ${mesh.ledgerDb} (carbon ledger, SQLite)\n`);
      process.stdout.write(`Rank API   ${mesh.orchestrator}\n`);
      const model =
        opts.models.split(',')[0]?.trim() ||
        (opts.modelRepository === undefined
          ? undefined
          : newestVersions(opts.modelRepository)[0]?.name) ||
        'rmc1';
      process.stdout.write(
        `\ntry:  npx recmesh rank --target ${mesh.orchestrator} --model ${model} --items 100\n`,
      );
      process.stdout.write(
        `      grpcurl -plaintext ${mesh.orchestrator} list\n\nCtrl-C stops the mesh.\n`,
      );
      await new Promise<void>((resolve) => {
        for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => resolve());
        for (const s of mesh.services) {
          s.child.once('exit', (code, signal) =>
            info(`${s.name} exited (${signal ?? code}); see ${s.logFile}`),
          );
        }
      });
      info('stopping: draining every service');
      await mesh.stop();
      info('stopped');
    });
  return command;
}
