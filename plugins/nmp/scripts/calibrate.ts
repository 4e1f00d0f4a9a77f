// The calibration runs of docs/nmp-calibration.md, printed as its Markdown tables:
//   npx tsx plugins/nmp/scripts/calibrate.ts [--json calibration.json]
// Shape: recmesh bench kernel's (1,000,000 rows x 64 fp32, 1024 bags x 80), one warm-up batch
// and 3 measured ones per point; locality: Zipf exponents 0, 0.8 and 1.1.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { benchNmpKernel, type NmpBenchOptions, type NmpConfigInput } from '@recmesh/plugin-nmp';

const { values } = parseArgs({ options: { json: { type: 'string' } } });

const SHAPE = { rows: 1_000_000, dim: 64, bags: 1024, pool: 80, batches: 3, warmup: 1 } as const;
const LOCALITY = [0, 0.8, 1.1] as const;
const RANKS = [1, 2, 4, 8, 16, 32] as const;
/** RecNMP without its co-optimisations: no RankCache, no profiling, interleaved packets. */
const BASE: NmpConfigInput = {
  cache: { policy: 'off' },
  profiling: { enabled: false },
  scheduling: { tableAware: false },
};

/**
 * Ranks on one channel: 1 is a single-rank DIMM, 2 to 8 are dual-rank DIMMs (8: the default,
 * 4 x 2), 16 and 32 are 4 quad- and octal-rank DIMMs (beyond DDR4 RDIMMs: what-if points).
 */
function topology(ranks: number): NmpConfigInput['topology'] {
  if (ranks === 1) return { channels: 1, dimmsPerChannel: 1, ranksPerDimm: 1 };
  if (ranks >= 16) return { channels: 1, dimmsPerChannel: 4, ranksPerDimm: ranks / 4 };
  return { channels: 1, dimmsPerChannel: ranks / 2, ranksPerDimm: 2 };
}

const results: Record<string, unknown>[] = [];
async function point(
  label: string,
  options: Omit<NmpBenchOptions, 'rows' | 'dim' | 'bags' | 'pool'>,
) {
  const r = await benchNmpKernel({ ...SHAPE, measureCpu: false, ...options });
  results.push({ label, ...r });
  process.stderr.write(`${label}: ${r.modelled_speedup.toFixed(2)}x\n`);
  return r;
}

const x = (v: number) => `${v.toFixed(2)}x`;
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const lines: string[] = [];
const table = (head: string[], rows: string[][]) => {
  lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  lines.push('');
};

async function main(): Promise<void> {
  // 1. Speedup over ranks, three locality levels, RecNMP-base and RecNMP-opt (the defaults).
  const rows: string[][] = [];
  for (const zipf of LOCALITY) {
    for (const ranks of RANKS) {
      const base = await point(`base zipf ${zipf} ranks ${ranks}`, {
        zipf,
        config: { ...BASE, topology: topology(ranks) },
      });
      const opt = await point(`opt zipf ${zipf} ranks ${ranks}`, {
        zipf,
        config: { topology: topology(ranks) },
      });
      rows.push([
        String(zipf),
        String(ranks),
        x(base.modelled_speedup),
        x(opt.modelled_speedup),
        pct(opt.cache_hit_rate),
        pct(base.modelled_energy_saving),
        pct(opt.modelled_energy_saving),
        pct(opt.modelled_energy_saving_busy),
      ]);
    }
  }
  lines.push('### Speedup and energy saving over ranks and locality');
  table(
    [
      'Zipf exponent',
      'ranks',
      'speedup, base',
      'speedup, opt',
      'RankCache hit rate',
      'energy saving, base',
      'energy saving, opt',
      'busy-time energy saving, opt',
    ],
    rows,
  );

  // 2. RankCache size at 8 ranks.
  const sizes: string[][] = [];
  for (const kib of [0, 32, 128, 512, 2048]) {
    const cells = [`${kib}`];
    for (const zipf of LOCALITY) {
      const r = await point(`cache ${kib} KiB zipf ${zipf}`, { zipf, config: { cache: { kib } } });
      cells.push(`${x(r.modelled_speedup)} / ${pct(r.cache_hit_rate)}`);
    }
    sizes.push(cells);
  }
  lines.push('### RankCache size, 8 ranks (speedup / hit rate)');
  table(['RankCache KiB', ...LOCALITY.map((z) => `Zipf ${z}`)], sizes);

  // 3. Co-located tables: table-aware packet scheduling and hot-entry profiling, 8 ranks.
  const colocated = { zipf: 0.8, tables: 8, dim: 32, bags: 128 } as const;
  const variants: [string, NmpConfigInput][] = [
    [
      'interleaved, LRU, no profiling',
      { scheduling: { tableAware: false }, profiling: { enabled: false } },
    ],
    ['table-aware, LRU, no profiling', { profiling: { enabled: false } }],
    ['interleaved, LRU, profiling', { scheduling: { tableAware: false } }],
    ['table-aware, LRU, profiling (default)', {}],
  ];
  const co: string[][] = [];
  for (const [label, config] of variants) {
    for (const kib of [32, 128]) {
      const r = await benchNmpKernel({
        ...SHAPE,
        ...colocated,
        measureCpu: false,
        config: { ...config, cache: { kib } },
      });
      results.push({ label: `colocated ${label} ${kib} KiB`, ...r });
      co.push([
        label,
        String(kib),
        x(r.modelled_speedup),
        pct(r.cache_hit_rate),
        pct(r.modelled_energy_saving),
      ]);
    }
  }
  lines.push(
    '### Eight co-located tables (1,000,000 x 32 fp32, 128 bags x 80 each), Zipf 0.8, 8 ranks',
  );
  table(['packets, cache, profiling', 'RankCache KiB', 'speedup', 'hit rate', 'energy saving'], co);

  // 4. Sensitivity of the energy saving to the assumed link energies, 8 ranks, Zipf 0.8.
  const sens: string[][] = [];
  for (const [channel, onDimm] of [
    [5, 2],
    [10, 4],
    [20, 8],
    [10, 10],
  ] as const) {
    const r = await point(`links ${channel}/${onDimm}`, {
      zipf: 0.8,
      config: { links: { channelPjPerBit: channel, onDimmPjPerBit: onDimm } },
    });
    sens.push([
      String(channel),
      String(onDimm),
      pct(r.modelled_energy_saving),
      pct(r.modelled_energy_saving_busy),
    ]);
  }
  lines.push('### Energy saving against the assumed link energies, 8 ranks, Zipf 0.8');
  table(['channel pJ/bit', 'on-DIMM pJ/bit', 'energy saving', 'busy-time energy saving'], sens);

  // 5. A host that keeps rows in its LLC.
  const llc: string[][] = [];
  for (const kib of [0, 2048, 8192]) {
    const cells = [String(kib)];
    for (const zipf of LOCALITY) {
      const r = await point(`host llc ${kib} zipf ${zipf}`, {
        zipf,
        config: { host: { cacheKiB: kib } },
      });
      cells.push(x(r.modelled_speedup));
    }
    llc.push(cells);
  }
  lines.push("### Speedup when the host's LLC keeps rows too, 8 ranks");
  table(['host LLC share KiB', ...LOCALITY.map((z) => `Zipf ${z}`)], llc);

  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.json !== undefined)
    writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
