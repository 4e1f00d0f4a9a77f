// Sends open-loop Rank traffic to an orchestrator and prints every query's outcome as JSON. The
// failover test runs it inside a client host's network namespace, so that every hop of every
// query crosses the test network.
//
// env: TARGET (host:port), MODEL, RATE (queries/s), SECONDS, ITEMS (per query), SEED, BURST.
// A line "burst" on stdin sends BURST more queries at once and then prints "burst-sent", so that
// the test can cut a host while those are surely in flight.
import { createInterface } from 'node:readline';
import { RankingClient } from '@recmesh/client';
import { Rng, syntheticQuery, type QueryShape } from '@recmesh/workload';

export interface QueryRecord {
  /** Wall-clock start, ms since the epoch (the test compares it with the moment of the cut). */
  readonly start: number;
  readonly ms: number;
  /** gRPC status code; 0 = answered. */
  readonly code: number;
  /** Shard instances that served it. */
  readonly shards: readonly string[];
}

const out = (event: object) => process.stdout.write(`${JSON.stringify(event)}\n`);

async function main(): Promise<void> {
  const env = process.env;
  const client = new RankingClient(env.TARGET ?? '127.0.0.1:50051');
  const model = env.MODEL ?? 'rmc1';
  const rate = Number(env.RATE ?? 20);
  const seconds = Number(env.SECONDS ?? 10);
  const items = Number(env.ITEMS ?? 50);

  let shape: QueryShape | undefined;
  for (const until = Date.now() + 60_000; shape === undefined;) {
    const info = (await client.listModels().catch(() => undefined))?.models.find(
      (m) => m.name === model,
    );
    if (info?.ready === true) {
      shape = {
        name: info.name,
        denseFeatures: info.denseFeatures,
        tables: info.tableRows.map((rows, t) => ({
          rows: Number(rows),
          pool: info.tablePool[t] ?? 1,
        })),
      };
    } else if (Date.now() > until) throw new Error(`${model} not ready at ${client.address}`);
    else await new Promise((r) => setTimeout(r, 200));
  }

  const rng = new Rng(Number(env.SEED ?? 1));
  const queries = Array.from({ length: Math.round(rate * seconds) }, () =>
    syntheticQuery(shape, items, rng),
  );
  const records: Promise<QueryRecord>[] = [];
  const send = (query: (typeof queries)[number]) => {
    const start = Date.now();
    const began = performance.now();
    records.push(
      client.rank(query, { timeoutMs: 10_000 }).then(
        (reply) => ({
          start,
          ms: performance.now() - began,
          code: 0,
          shards: reply.servedBy?.shards ?? [],
        }),
        (err: { code?: number }) => ({
          start,
          ms: performance.now() - began,
          code: err.code ?? 2,
          shards: [],
        }),
      ),
    );
  };
  const burst = Array.from({ length: Number(env.BURST ?? 0) }, () =>
    syntheticQuery(shape, items, rng),
  );
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() !== 'burst') return;
    for (const query of burst) send(query);
    out({ event: 'burst-sent', at: Date.now() });
  });

  const t0 = performance.now();
  out({ event: 'load-start', at: Date.now() });
  for (let i = 0; i < queries.length; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    send(queries[i] as (typeof queries)[number]);
  }
  out({ event: 'result', queries: await Promise.all(records) });
  process.stdin.destroy();
  client.close();
}

main().catch((err: unknown) => {
  out({ event: 'error', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
