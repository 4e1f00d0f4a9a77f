import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { counterDeltaUj } from '@recmesh/carbon';

/** Where Linux exposes RAPL (the powercap framework). */
export const POWERCAP_ROOT = '/sys/class/powercap';

interface Domain {
  readonly path: string;
  readonly name: string;
  readonly maxRangeUj: number;
  last: number;
}

const readNumber = (path: string): number => Number(readFileSync(path, 'utf8').trim());

/**
 * The RAPL domains to add up: every package (`intel-rapl:N`, name `package-N`) and every DRAM
 * domain (`intel-rapl:N:M` named `dram`, which the package total leaves out). Core and uncore
 * subdomains are inside their package and `psys` covers the whole platform, so both are skipped
 * to count nothing twice.
 */
function discover(root: string): { domains: Domain[]; problems: string[] } {
  const domains: Domain[] = [];
  const problems: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(root)
      .filter((e) => /^intel-rapl:\d+(:\d+)?$/.test(e))
      .sort();
  } catch (err) {
    return { domains, problems: [`${root}: ${(err as Error).message}`] };
  }
  for (const entry of entries) {
    const path = join(root, entry);
    try {
      const name = readFileSync(join(path, 'name'), 'utf8').trim();
      if (!(name.startsWith('package-') || name === 'dram')) continue;
      const maxRangeUj = readNumber(join(path, 'max_energy_range_uj'));
      const last = readNumber(join(path, 'energy_uj'));
      if (!(Number.isFinite(maxRangeUj) && Number.isFinite(last)))
        throw new Error('energy_uj or max_energy_range_uj is not a number');
      domains.push({ path, name, maxRangeUj, last });
    } catch (err) {
      // Since Linux 5.10 energy_uj is readable by root only (PLATYPUS, CVE-2020-8694).
      problems.push(`${path}: ${(err as Error).message}`);
    }
  }
  if (entries.length === 0) problems.push(`${root}: no intel-rapl domains`);
  return { domains, problems };
}

/**
 * Reads the machine's RAPL counters. `available` is false (with the reasons) when no package
 * domain can be read: in a container, on non-Intel/AMD hardware, or without root.
 */
export class RaplReader {
  private readonly domains: Domain[];
  readonly problems: readonly string[];

  constructor(root = POWERCAP_ROOT) {
    const found = discover(root);
    this.domains = found.domains;
    this.problems = found.problems;
  }

  get available(): boolean {
    return this.domains.some((d) => d.name.startsWith('package-'));
  }

  get domainNames(): string[] {
    return this.domains.map((d) => d.name);
  }

  /**
   * Joules since the previous call (or since construction), all domains together; each
   * counter's wrap is undone. A domain that stops being readable throws, naming its file.
   */
  readJ(): number {
    let uj = 0;
    for (const d of this.domains) {
      const now = readNumber(join(d.path, 'energy_uj'));
      uj += counterDeltaUj(d.last, now, d.maxRangeUj);
      d.last = now;
    }
    return uj / 1e6;
  }
}
