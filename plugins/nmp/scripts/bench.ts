// Runs benchNmpKernel from the command line until `recmesh bench kernel --backend nmp` calls it:
//   npx tsx plugins/nmp/scripts/bench.ts --rows 1000000 --dim 64 --bags 1024 --pool 80 \
//     [--dtype fp32] [--zipf 0.8] [--tables 1] [--batches 4] [--warmup 1] [--no-cpu] \
//     [--config '{"topology":{"ranksPerDimm":4}}' | --config @hw.json]
// A summary goes to stderr; the last line of stdout is the result as JSON.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Dtype } from '@recmesh/backend';
import { benchNmpKernel, type NmpConfigInput } from '@recmesh/plugin-nmp';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    dim: { type: 'string', default: '64' },
    bags: { type: 'string', default: '1024' },
    pool: { type: 'string', default: '80' },
    dtype: { type: 'string', default: 'fp32' },
    zipf: { type: 'string', default: '0' },
    tables: { type: 'string', default: '1' },
    batches: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '1' },
    config: { type: 'string' },
    'no-cpu': { type: 'boolean', default: false },
  },
});

function configOf(raw: string | undefined): NmpConfigInput | undefined {
  if (raw === undefined) return undefined;
  const text = raw.startsWith('@') ? readFileSync(raw.slice(1), 'utf8') : raw;
  return JSON.parse(text) as NmpConfigInput;
}

async function main(): Promise<void> {
  const config = configOf(values.config);
  const result = await benchNmpKernel({
    rows: Number(values.rows),
    dim: Number(values.dim),
    bags: Number(values.bags),
    pool: Number(values.pool),
    dtype: values.dtype as Dtype,
    zipf: Number(values.zipf),
    tables: Number(values.tables),
    batches: Number(values.batches),
    warmup: Number(values.warmup),
    measureCpu: !values['no-cpu'],
    ...(config === undefined ? {} : { config }),
  });
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  process.stderr.write(
    [
      `nmp model, ${String(result.config.ranks)} ranks, zipf ${result.zipf}: ` +
        `speedup ${result.modelled_speedup.toFixed(2)}x, ` +
        `energy saving ${pct(result.modelled_energy_saving)} (busy-time ${pct(result.modelled_energy_saving_busy)}), ` +
        `RankCache hit rate ${pct(result.cache_hit_rate)}`,
      result.lookups_per_s === null
        ? `cpu (${result.kernel}): ${result.cpu_error ?? 'not measured'}`
        : `cpu (${result.kernel}): ${(result.lookups_per_s / 1e6).toFixed(1)} M lookups/s, ${(result.gb_per_s ?? 0).toFixed(2)} GB/s`,
      '',
    ].join('\n'),
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
