import { Command, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { RankingClient } from '@recmesh/client';
import { lognormalSizes, Rng, runOpenLoop, syntheticQuery } from '@recmesh/workload';
import { startLocalMesh } from '../local-mesh';
import { addMeshFlags, num, type MeshFlags } from '../mesh-options';
import { shapeOf, waitUntilReady } from '../model-shape';
import { info, printJson, r3 } from '../output';
import { ReceiptTally, receiptsVsBooks, settledBooks } from './carbon-settle';

interface DemoFlags extends MeshFlags {
  model: string;
  seconds: number;
  rate: number;
  meanItems: number;
  sigma: number;
  maxItems: number;
  json?: boolean;
}

export function demoCommand(): Command {
  const command = new Command('demo').description(
    'start a local mesh, send Poisson traffic with lognormal query sizes, print a summary',
  );
  addMeshFlags(command, { models: '' })
    .addOption(new Option('--model <name>', 'model to load').default('rmc1'))
    .addOption(
      new Option('--seconds <n>', 'length of the run')
        .default(20)
        .argParser(num('--seconds', { min: 0.1 })),
    )
    .addOption(
      new Option('--rate <qps>', 'mean arrival rate (Poisson), queries/s')
        .default(10)
        .argParser(num('--rate', { min: 0.01 })),
    )
    .addOption(
      new Option('--mean-items <n>', 'mean query size (lognormal)')
        .default(100)
        .argParser(num('--mean-items', { min: 1 })),
    )
    .addOption(
      new Option('--sigma <s>', 'spread of ln(query size)')
        .default(0.8)
        .argParser(num('--sigma', { min: 0 })),
    )
    .addOption(
      new Option('--max-items <n>', 'largest query')
        .default(1000)
        .argParser(num('--max-items', { int: true, min: 1 })),
    )
    .option('--json', 'print the summary as one JSON object (last line of stdout)')
    .action(async (opts: DemoFlags) => {
      const models = opts.models === '' ? opts.model : opts.models;
      info(`demo: starting a local mesh for ${models} (row scale ${opts.rowScale})`);
      const mesh = await startLocalMesh({
        ...opts,
        models,
        port: 0,
        mesh: `demo-${process.pid}`,
        deleteStreamOnStop: true,
        log: info,
      });
      const client = new RankingClient(mesh.orchestrator);
      try {
        const shape = shapeOf(await waitUntilReady(client, opts.model, 30_000));
        const sizes = lognormalSizes(opts.meanItems, opts.sigma, opts.maxItems);
        const queryRng = new Rng(opts.seed + 1);
        info(
          `demo: ${opts.rate} queries/s for ${opts.seconds} s, ${sizes.name} sizes (mean ${opts.meanItems}, sigma ${opts.sigma})`,
        );
        const tally = new ReceiptTally();
        const bar = process.stderr.isTTY
          ? new SingleBar({
              format:
                'demo [{bar}] {percentage}% | {done}/{sent} done | {errors} errors | {inFlight} in flight',
              stream: process.stderr,
            })
          : undefined;
        bar?.start(100, 0, { done: 0, sent: 0, errors: 0, inFlight: 0 });
        const result = await runOpenLoop({
          rate: opts.rate,
          durationS: opts.seconds,
          sizes,
          seed: opts.seed,
          send: async (size) => {
            tally.add(
              await client.rank(syntheticQuery(shape, size, queryRng), { timeoutMs: 10_000 }),
            );
          },
          onProgress: (p) =>
            bar?.update(Math.min(100, Math.round((100 * p.elapsedS) / p.durationS)), {
              done: p.done,
              sent: p.sent,
              errors: p.errors,
              inFlight: p.inFlight,
            }),
        });
        bar?.stop();
        const ledger = mesh.services.find((s) => s.role === 'carbon-ledger')?.address ?? '';
        info('demo: waiting for the last usage windows to reach the carbon ledger');
        const carbon = {
          ...receiptsVsBooks(tally, await settledBooks(ledger, tally)),
          books: mesh.ledgerDb,
        };
        const summary = {
          model: opts.model,
          queries: result.sent,
          completed: result.completed,
          errors: result.errors,
          errors_by_code: result.errorsByCode,
          offered_qps: opts.rate,
          qps: r3(result.achievedQps),
          mean_items: result.completed > 0 ? r3(result.items / result.completed) : 0,
          p50_ms: r3(result.latencyMs.p50),
          p95_ms: r3(result.latencyMs.p95),
          p99_ms: r3(result.latencyMs.p99),
          max_ms: r3(result.latencyMs.max),
          seconds: r3(result.durationS),
          row_scale: opts.rowScale,
          batch_size: opts.batchSize,
          carbon,
        };
        if (opts.json === true) printJson(summary);
        else {
          process.stdout.write(
            `${opts.model}: ${summary.queries} queries (${summary.errors} errors), ${summary.qps} qps, ` +
              `p50 ${summary.p50_ms} ms, p95 ${summary.p95_ms} ms, p99 ${summary.p99_ms} ms, mean ${summary.mean_items} items\n` +
              `carbon: ${carbon.sci_g_per_query.toExponential(3)} gCO2e per ranked query; receipts ${carbon.receipts_g.toExponential(6)} g, ` +
              `ledger ${carbon.ledger_g.toExponential(6)} g (relative difference ${carbon.relative_difference.toExponential(2)})\n` +
              `books kept in ${carbon.books}: npx recmesh carbon report --since all --db ${carbon.books}\n`,
          );
        }
      } finally {
        client.close();
        await mesh.stop();
      }
    });
  return command;
}
