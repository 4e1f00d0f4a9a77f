import type { RankingClient } from '@recmesh/client';
import { notFound, RecmeshError } from '@recmesh/errors';
import type { ModelInfo } from '@recmesh/proto';
import type { QueryShape } from '@recmesh/workload';

/** The served model's shape (rows, pools, dense width), as the orchestrator reports it. */
export function shapeOf(info: ModelInfo): QueryShape {
  return {
    name: info.name,
    denseFeatures: info.denseFeatures,
    tables: info.tableRows.map((rows, t) => ({ rows: Number(rows), pool: info.tablePool[t] ?? 1 })),
  };
}

export async function modelInfo(client: RankingClient, model: string): Promise<ModelInfo> {
  const list = await client.listModels();
  const info = list.models.find((m) => m.name === model);
  if (info === undefined)
    throw notFound(
      '--model',
      model,
      `not served at ${client.address}; served: ${list.models.map((m) => m.name).join(', ')}`,
    );
  return info;
}

/** Waits until the orchestrator reports `model` ready (every table has a live shard, a worker is live). */
export async function waitUntilReady(
  client: RankingClient,
  model: string,
  timeoutMs: number,
): Promise<ModelInfo> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const info = await modelInfo(client, model);
    if (info.ready) return info;
    if (Date.now() > until)
      throw new RecmeshError(
        'unavailable',
        `${model} was not ready at ${client.address} within ${timeoutMs} ms`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}
