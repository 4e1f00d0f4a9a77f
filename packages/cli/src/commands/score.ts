import { mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { RankingClient } from '@recmesh/client';
import { RecmeshError } from '@recmesh/errors';
import { readVersionDir } from '@recmesh/model-repository';
import { startLocalMesh, type LocalMesh } from '../local-mesh';
import { num } from '../mesh-options';
import { waitUntilReady } from '../model-shape';
import { info, printJson } from '../output';
import { readScoreInputs, sliceInputs } from '../score-inputs';

interface ScoreFlags {
  modelDir: string;
  inputs: string;
  target?: string;
  shards: number;
  natsUrl: string;
  logDir?: string;
  timeoutMs: number;
  json?: boolean;
}

export function scoreCommand(): Command {
  return new Command('score')
    .description(
      "score samples (the DLRM reference's inputs-and-expected.json form) with a model folder through the mesh: a running one (--target), or a local one started for it",
    )
    .requiredOption('--model-dir <dir>', 'model folder (manifest.json, dense graph, tables)')
    .requiredOption(
      '--inputs <file>',
      'JSON: dense_x [batch][features]; sparse: per table {table, offsets, indices}',
    )
    .option(
      '--target <host:port>',
      'orchestrator of a running mesh that serves this model (default: start one)',
    )
    .addOption(
      new Option('--shards <n>', 'shard groups of the local mesh')
        .default(1)
        .argParser(num('--shards', { int: true, min: 1 })),
    )
    .addOption(
      new Option('--nats-url <url>', 'NATS server of the local mesh (started if none answers)')
        .env('NATS_URL')
        .default('nats://127.0.0.1:4222'),
    )
    .option('--log-dir <dir>', 'where the local mesh writes its logs (default: a temporary folder)')
    .addOption(
      new Option('--timeout-ms <n>', 'deadline of each Rank call')
        .default(30_000)
        .argParser(num('--timeout-ms', { min: 1 })),
    )
    .option('--json', 'print {"pred": [...]} as the last line of stdout')
    .action(async (opts: ScoreFlags) => {
      const version = readVersionDir(opts.modelDir);
      const spec = version.spec;
      const inputs = readScoreInputs(opts.inputs, spec);
      let mesh: LocalMesh | undefined;
      let scratch: string | undefined;
      let target = opts.target;
      if (target === undefined) {
        // A repository of one model: the folder, linked as <repo>/<name>/<version>.
        scratch = mkdtempSync(join(tmpdir(), 'recmesh-score-'));
        const repository = join(scratch, 'repository');
        mkdirSync(join(repository, spec.name), { recursive: true });
        symlinkSync(
          resolve(opts.modelDir),
          join(repository, spec.name, String(spec.version)),
          'dir',
        );
        info(`score: starting a local mesh for ${spec.name} version ${spec.version}`);
        mesh = await startLocalMesh({
          models: '',
          modelRepository: repository,
          rowScale: 1,
          seed: 1,
          shards: opts.shards,
          workers: 1,
          port: 0,
          natsUrl: opts.natsUrl,
          mesh: `score-${process.pid}`,
          batchSize: 256,
          logDir: opts.logDir ?? join(scratch, 'logs'),
          scheduler: 'static',
          deleteStreamOnStop: true,
          log: info,
        });
        target = mesh.orchestrator;
      }
      const client = new RankingClient(target);
      try {
        const served = await waitUntilReady(client, spec.name, 60_000);
        if (served.version !== spec.version)
          throw new RecmeshError(
            'failed_precondition',
            `${target} serves ${spec.name} version ${served.version}; the model folder ${opts.modelDir} is version ${spec.version}`,
          );
        const f = spec.denseFeatures;
        const pred = new Array<number>(inputs.count).fill(Number.NaN);
        const chunk = Math.max(1, served.maxItems);
        for (let start = 0; start < inputs.count; start += chunk) {
          const end = Math.min(inputs.count, start + chunk);
          const part = sliceInputs(inputs, start, end, f);
          const reply = await client.rank(
            {
              model: spec.name,
              topK: 0,
              user: {},
              items: {
                count: part.count,
                ...(f > 0 ? { dense: part.dense } : {}),
                sparse: part.sparse,
              },
            },
            { timeoutMs: opts.timeoutMs },
          );
          if (reply.version !== spec.version)
            throw new RecmeshError(
              'failed_precondition',
              `${target} ranked with ${spec.name} version ${reply.version}, not ${spec.version}`,
            );
          for (const item of reply.items) pred[start + item.index] = item.score;
        }
        if (inputs.expected !== undefined) {
          const err = Math.max(
            ...pred.map((p, i) => Math.abs(p - (inputs.expected?.[i] as number))),
          );
          info(`max |pred - expected_pred| = ${err} over ${inputs.count} samples`);
        }
        if (opts.json === true) printJson({ pred });
        else process.stdout.write(`${pred.map((p, i) => `${i}\t${p}`).join('\n')}\n`);
      } finally {
        client.close();
        await mesh?.stop();
        if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
      }
    });
}
