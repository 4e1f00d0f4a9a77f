import { Command, Option } from 'commander';
import { RankingClient, rankedItems } from '@recmesh/client';
import { Rng, syntheticQuery } from '@recmesh/workload';
import { num } from '../mesh-options';
import { modelInfo, shapeOf } from '../model-shape';
import { printJson, r3, table } from '../output';

export function rankCommand(): Command {
  return new Command('rank')
    .description('send one query of random candidates to an orchestrator and print the ranking')
    .requiredOption('--target <host:port>', 'orchestrator address')
    .addOption(new Option('--model <name>', 'model').default('rmc1'))
    .addOption(
      new Option('--items <n>', 'candidate items')
        .default(100)
        .argParser(num('--items', { int: true, min: 1 })),
    )
    .addOption(
      new Option('--top-k <n>', 'items to return')
        .default(10)
        .argParser(num('--top-k', { int: true, min: 0 })),
    )
    .addOption(
      new Option('--seed <n>', 'seed of the random query')
        .default(1)
        .argParser(num('--seed', { int: true, min: 0 })),
    )
    .addOption(
      new Option('--timeout-ms <n>', 'deadline of the call')
        .default(10_000)
        .argParser(num('--timeout-ms', { min: 1 })),
    )
    .option('--json', 'print one JSON object')
    .action(
      async (opts: {
        target: string;
        model: string;
        items: number;
        topK: number;
        seed: number;
        timeoutMs: number;
        json?: boolean;
      }) => {
        const client = new RankingClient(opts.target);
        try {
          const info = await modelInfo(client, opts.model);
          const query = syntheticQuery(shapeOf(info), opts.items, new Rng(opts.seed), opts.topK);
          const reply = await client.rank(query, { timeoutMs: opts.timeoutMs });
          const ranking = rankedItems(reply);
          const latency = reply.latency;
          const carbon = reply.carbon;
          if (opts.json === true) {
            printJson({
              model: reply.model,
              items: opts.items,
              top_k: ranking.length,
              ranking: ranking.map((r) => ({ item_id: r.itemId, index: r.index, score: r.score })),
              latency_ms: latency && {
                total: r3(latency.totalMs),
                embedding: r3(latency.embeddingMs),
                dense: r3(latency.denseMs),
                compute: r3(latency.computeMs),
              },
              carbon: carbon && {
                total_g: carbon.totalG,
                operational_g: carbon.operationalG,
                embodied_g: carbon.embodiedG,
                energy_j: carbon.energyJ,
                method: carbon.energyMethod,
              },
              served_by: reply.servedBy,
            });
            return;
          }
          process.stdout.write(`${reply.model}: top ${ranking.length} of ${opts.items} items\n\n`);
          process.stdout.write(
            `${table([['RANK', 'ITEM', 'SCORE'], ...ranking.map((r, i) => [String(i + 1), r.itemId, r.score.toFixed(6)])])}\n\n`,
          );
          if (latency !== undefined) {
            process.stdout.write(
              `latency   ${latency.totalMs.toFixed(2)} ms (embedding ${latency.embeddingMs.toFixed(2)} ms/batch, dense ${latency.denseMs.toFixed(2)} ms/batch, ${reply.stages[0]?.batches ?? 0} batches)\n`,
            );
          }
          if (carbon !== undefined) {
            process.stdout.write(
              `carbon    ${carbon.totalG.toExponential(3)} g CO2e (operational ${carbon.operationalG.toExponential(3)}, embodied ${carbon.embodiedG.toExponential(3)}; energy ${carbon.energyMethod})\n`,
            );
          }
          process.stdout.write(
            `served by embedding ${reply.servedBy?.embeddingBackend} on ${reply.servedBy?.shards.join(', ')}; dense ${reply.servedBy?.denseBackend} on ${reply.servedBy?.workers.join(', ')}\n`,
          );
        } finally {
          client.close();
        }
      },
    );
}
