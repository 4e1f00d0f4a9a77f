import type { TableLayout } from './address-map';

/** One gather-reduce batch over one table, as the hardware model sees it. */
export interface Job {
  readonly table: TableLayout;
  readonly indices: Int32Array;
  readonly offsets: Int32Array;
}

/** The bag of every index position of `job`. */
export function bagsOf(job: Job): Int32Array {
  const { indices, offsets } = job;
  const bagOf = new Int32Array(indices.length);
  for (let b = 0; b < offsets.length; b++) {
    const start = offsets[b] as number;
    const end = b + 1 < offsets.length ? (offsets[b + 1] as number) : indices.length;
    bagOf.fill(b, start, end);
  }
  return bagOf;
}

/** The order lookups leave the host in: parallel arrays of job and index position. */
export interface IssueOrder {
  readonly job: Int32Array;
  readonly position: Int32Array;
}

/**
 * The lookups of an epoch in issue order. Without table-aware scheduling, co-located jobs'
 * packets interleave round-robin, `grain` lookups at a time (concurrent operators sharing the
 * channel); with it, every job of one table goes out together (RecNMP's table-aware packet
 * scheduling), tables in the order their first job arrived. A job's own lookups keep their order.
 */
export function issueOrder(jobs: readonly Job[], tableAware: boolean, grain: number): IssueOrder {
  const total = jobs.reduce((n, j) => n + j.indices.length, 0);
  const job = new Int32Array(total);
  const position = new Int32Array(total);
  let k = 0;
  const take = (j: number, from: number, to: number) => {
    for (let i = from; i < to; i++) {
      job[k] = j;
      position[k++] = i;
    }
  };
  if (tableAware) {
    const tables: number[] = [];
    for (const j of jobs) if (!tables.includes(j.table.id)) tables.push(j.table.id);
    for (const t of tables) {
      jobs.forEach((j, n) => {
        if (j.table.id === t) take(n, 0, j.indices.length);
      });
    }
  } else {
    const next = new Array<number>(jobs.length).fill(0);
    for (let left = total; left > 0;) {
      jobs.forEach((j, n) => {
        const from = next[n] as number;
        const to = Math.min(j.indices.length, from + grain);
        take(n, from, to);
        next[n] = to;
        left -= to - from;
      });
    }
  }
  return { job, position };
}
