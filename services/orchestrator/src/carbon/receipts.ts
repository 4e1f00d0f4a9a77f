import {
  attribute,
  machineOf,
  type GridSeries,
  type HardwareProfile,
  type MachineShare,
} from '@recmesh/carbon';
import type { CarbonReceipt } from '@recmesh/proto';
import type { SubCall } from '../rank/score-query';

export interface ReceiptOptions {
  readonly profiles: ReadonlyMap<string, HardwareProfile>;
  /** The orchestrator's own hardware, and the fallback for a peer that names no profile. */
  readonly own: HardwareProfile;
  readonly grid: GridSeries;
  readonly pue: number;
  /** The profile a peer (shard or worker instance id) announced, if any. */
  readonly peerProfile: (instance: string) => string | undefined;
  /** Called once per peer whose announced profile this orchestrator does not have. */
  readonly onUnknownProfile?: (instance: string, profile: string) => void;
}

/**
 * Carbon receipts for ranked queries. A query's receipt costs the busy seconds each shard and
 * worker reported for it, on the hardware each announced, plus the orchestrator's own, with the
 * same formula (attribute) and the same grid series the ledger books that usage with: over a
 * run, the receipts add up to the ledger's books (docs/carbon.md gives the tolerance).
 */
export class Receipts {
  private readonly machines = new Map<string, MachineShare>();
  private readonly warned = new Set<string>();

  constructor(private readonly options: ReceiptOptions) {}

  private machine(profile: string): MachineShare {
    let m = this.machines.get(profile);
    if (m === undefined) {
      m = machineOf(this.options.profiles.get(profile) ?? this.options.own);
      this.machines.set(profile, m);
    }
    return m;
  }

  private profileOf(instance: string): string {
    const name = this.options.peerProfile(instance) ?? this.options.own.name;
    if (this.options.profiles.has(name)) return name;
    if (!this.warned.has(instance)) {
      this.warned.add(instance);
      this.options.onUnknownProfile?.(instance, name);
    }
    return this.options.own.name;
  }

  /**
   * The receipt of one query: the orchestrator's own busy seconds at `atMs` (when it records
   * them) and each sub-call's compute when its reply came (about when the shard or worker
   * recorded it), each at the grid factor in force then and on the hardware that did it.
   */
  issue(ownBusyS: number, subCalls: readonly SubCall[], atMs: number): CarbonReceipt {
    const grid = this.options.grid;
    const busy = new Map<string, { profile: string; gPerKwh: number; busyS: number }>();
    const add = (profile: string, gPerKwh: number, busyS: number) => {
      const key = `${profile}\u0000${gPerKwh}`;
      const entry = busy.get(key) ?? { profile, gPerKwh, busyS: 0 };
      entry.busyS += busyS;
      busy.set(key, entry);
    };
    const point = grid.at(atMs);
    add(this.options.own.name, point.gPerKwh, ownBusyS);
    for (const c of subCalls)
      add(this.profileOf(c.instance), grid.at(c.atMs).gPerKwh, c.computeMs / 1000);
    let operationalG = 0;
    let embodiedG = 0;
    let energyJ = 0;
    for (const b of busy.values()) {
      const c = attribute(b.busyS, this.machine(b.profile), {
        gridGPerKwh: b.gPerKwh,
        pue: this.options.pue,
      });
      operationalG += c.operationalG;
      embodiedG += c.embodiedG;
      energyJ += c.energyJ;
    }
    const profiles = [...new Set([...busy.values()].map((b) => b.profile))];
    return {
      operationalG,
      embodiedG,
      totalG: operationalG + embodiedG,
      energyJ,
      energyMethod: 'modelled',
      region: this.options.grid.region,
      gridGPerKwh: point.gPerKwh,
      pue: this.options.pue,
      factorsSource:
        `grid ${point.gPerKwh} gCO2e/kWh from ${point.source}${point.year === undefined ? '' : ` (${point.year})`}; ` +
        `PUE ${this.options.pue}; power and embodied carbon (ACT version 2) of ${profiles.join(', ')}`,
    };
  }
}
