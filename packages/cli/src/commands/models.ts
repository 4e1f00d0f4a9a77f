import { basename, dirname, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { connectBus, requestModelsReload, type ReloadReply } from '@recmesh/bus';
import { RankingClient } from '@recmesh/client';
import { invalidArgument, RecmeshError } from '@recmesh/errors';
import { MODEL_NAME, writeVersion } from '@recmesh/model-repository';
import { buildDenseGraph, resolveModel, tableRows } from '@recmesh/models';
import { num } from '../mesh-options';
import { info, printJson, table } from '../output';

interface VersionRef {
  model: string;
  version: number;
}
interface Refusal extends VersionRef {
  error: string;
}

const refs = (list: unknown): VersionRef[] => (Array.isArray(list) ? (list as VersionRef[]) : []);
const fmt = (list: readonly VersionRef[]) =>
  list.map((r) => `${r.model}@${r.version}`).join(', ') || '-';

/** Waits until the orchestrator at `target` runs each loaded version for new queries. */
async function waitForSwitch(target: string, loaded: readonly VersionRef[], timeoutMs: number) {
  const client = new RankingClient(target);
  const until = Date.now() + timeoutMs;
  try {
    for (;;) {
      const list = await client.listModels();
      const pending = loaded.filter(
        (r) => list.models.find((m) => m.name === r.model)?.version !== r.version,
      );
      if (pending.length === 0) return;
      if (Date.now() > until)
        throw new RecmeshError(
          'deadline_exceeded',
          `${target} did not switch to ${fmt(pending)} within ${timeoutMs} ms (a shard or worker may still be loading, or refused it)`,
        );
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    client.close();
  }
}

function reloadCommand(): Command {
  return new Command('reload')
    .description(
      'ask every shard, worker and orchestrator of a mesh to rescan its model repository: new versions load beside the served ones, which keep serving until the new ones are ready everywhere',
    )
    .addOption(new Option('--mesh <name>', 'mesh name').default('default'))
    .addOption(
      new Option('--nats-url <url>', 'NATS server')
        .env('NATS_URL')
        .default('nats://127.0.0.1:4222'),
    )
    .addOption(
      new Option('--timeout-ms <n>', 'how long to wait for every service to answer')
        .default(120_000)
        .argParser(num('--timeout-ms', { min: 1 })),
    )
    .option(
      '--target <host:port>',
      'an orchestrator: also wait until it runs the loaded versions for new queries',
    )
    .option('--json', 'print the answers as one JSON object (last line of stdout)')
    .action(
      async (opts: {
        mesh: string;
        natsUrl: string;
        timeoutMs: number;
        target?: string;
        json?: boolean;
      }) => {
        const nc = await connectBus({ servers: opts.natsUrl, name: 'recmesh-models-reload' });
        let result: Awaited<ReturnType<typeof requestModelsReload>>;
        try {
          result = await requestModelsReload(nc, opts.mesh, {
            discoverMs: 1500,
            timeoutMs: opts.timeoutMs,
          });
        } finally {
          await nc.close();
        }
        const { replies, silent } = result;
        const refused = replies.flatMap((r) => refs(r.refused) as Refusal[]);
        const loaded = [
          ...new Map(
            replies
              .filter((r) => r.role !== 'orchestrator')
              .flatMap((r) => refs(r.loaded))
              .map((v) => [`${v.model}@${v.version}`, v]),
          ).values(),
        ];
        if (opts.target !== undefined && loaded.length > 0 && refused.length === 0)
          await waitForSwitch(opts.target, loaded, opts.timeoutMs);
        if (refused.length > 0 || silent.length > 0) process.exitCode = 1;
        if (opts.json === true) {
          printJson({ replies, silent: silent.map((s) => s.id), loaded, refused });
          return;
        }
        const rows = [
          ['SERVICE', 'ROLE', 'LOADED', 'REFUSED', 'RETIRED'],
          ...replies.map((r: ReloadReply) => [
            r.id,
            r.role,
            fmt(refs(r.loaded)),
            fmt(refs(r.refused)),
            fmt(refs(r.retired)),
          ]),
        ];
        process.stdout.write(`${table(rows)}\n`);
        for (const r of refused)
          process.stdout.write(`refused ${r.model}@${r.version}: ${r.error}\n`);
        for (const s of silent) process.stdout.write(`no answer from ${s.id} (${s.role})\n`);
      },
    );
}

function listCommand(): Command {
  return new Command('list')
    .description('the models an orchestrator serves: versions held, the one queries run, readiness')
    .requiredOption('--target <host:port>', 'orchestrator address')
    .option('--json', 'print one JSON object')
    .action(async (opts: { target: string; json?: boolean }) => {
      const client = new RankingClient(opts.target);
      try {
        const { models } = await client.listModels();
        if (opts.json === true) {
          printJson({ models });
          return;
        }
        const rows = [
          ['MODEL', 'VERSION', 'HELD', 'READY', 'TASKS', 'ARCHITECTURE'],
          ...models.map((m) => [
            m.name,
            String(m.version),
            m.versions.join(',') || '-',
            m.ready ? 'yes' : 'no',
            m.tasks.join(','),
            m.architecture,
          ]),
        ];
        process.stdout.write(`${table(rows)}\n`);
      } finally {
        client.close();
      }
    });
}

function exportCommand(): Command {
  return new Command('export')
    .description(
      'write a built-in model (its seeded weights at a row scale) as a model repository version: table_<t>.npy, dense.onnx, manifest.json',
    )
    .requiredOption('--model <name>', 'built-in model, e.g. rmc1-dot or din')
    .requiredOption('--out <dir>', 'version folder to write, e.g. <repository>/<name>/<version>')
    .option('--name <name>', 'model name (default: the repository folder, else --model)')
    .addOption(
      new Option('--version <n>', 'version (default: the folder name, else 1)').argParser(
        num('--version', { int: true, min: 1 }),
      ),
    )
    .addOption(
      new Option('--row-scale <f>', "fraction of the preset's rows")
        .default(0.01)
        .argParser(num('--row-scale', { min: 1e-6, max: 1 })),
    )
    .addOption(
      new Option('--seed <n>', 'seed of the weights')
        .default(1)
        .argParser(num('--seed', { int: true, min: 0 })),
    )
    .action(
      async (opts: {
        model: string;
        out: string;
        name?: string;
        version?: number;
        rowScale: number;
        seed: number;
      }) => {
        const out = resolve(opts.out);
        const inRepo = /^[1-9][0-9]*$/.test(basename(out));
        const name = opts.name ?? (inRepo ? basename(dirname(out)) : opts.model);
        if (!MODEL_NAME.test(name)) throw invalidArgument('--name', name, 'not a model name');
        const version = opts.version ?? (inRepo ? Number(basename(out)) : 1);
        const preset = resolveModel(opts.model, { rowScale: opts.rowScale, seed: opts.seed });
        const spec = { ...preset, name, version };
        await writeVersion(out, {
          name,
          version,
          description: `${opts.model} exported at row scale ${opts.rowScale}, seed ${opts.seed}`,
          architecture: spec.architecture,
          denseFeatures: spec.denseFeatures,
          dim: spec.dim,
          tables: spec.tables.map((_, t) => tableRows(preset, t)),
          pools: spec.tables.map((t) => t.pool),
          denseOnnx: buildDenseGraph(spec),
          tasks: spec.tasks.map((t) => ({ ...t })),
          p95TargetMs: spec.targets.medium,
          source: { preset: opts.model, rowScale: opts.rowScale, seed: opts.seed },
        });
        info(`exported ${opts.model} as ${name} version ${version} into ${out}`);
      },
    );
}

export function modelsCommand(): Command {
  return new Command('models')
    .description('model repository: reload it across a mesh, list what is served, export a preset')
    .addCommand(reloadCommand())
    .addCommand(listCommand())
    .addCommand(exportCommand());
}
