import { notFound } from '@recmesh/errors';

/** A model version a service holds: the newest is `serving`, superseded ones `retiring`. */
export interface HeldVersion<T> {
  readonly model: string;
  readonly version: number;
  readonly value: T;
  readonly retiring: boolean;
}

interface Entry<T> {
  readonly model: string;
  readonly version: number;
  readonly value: T;
  state: 'serving' | 'retiring';
  inFlight: number;
  /** When the version was last known to be needed (retired, or listed in use by a peer). */
  neededAt: number;
}

export interface HeldVersionsOptions<T> {
  /**
   * How long a retiring version stays after it was last needed, ms: covers queries a peer pinned
   * to it whose calls have not arrived yet, and announcements still on their way.
   */
  readonly graceMs: number;
  /** Gives a released version's resources back (sessions, table memory). */
  readonly release: (value: T, model: string, version: number) => Promise<void> | void;
  readonly now?: () => number;
}

/**
 * The versions of models one service holds, TF Serving's availability-preserving policy across a
 * mesh: a new version is added beside the old one, which turns `retiring`; a retiring version is
 * released only when no call on it is in flight, no peer says it still uses it, and `graceMs`
 * has passed since it was last needed. Lookups of version 0 get the newest serving version.
 */
export class HeldVersions<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly now: () => number;

  constructor(private readonly options: HeldVersionsOptions<T>) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Holds `value` as the serving version of `model`; an older serving one starts retiring. A
   * version must not be held twice (revive it instead).
   */
  add(model: string, version: number, value: T): void {
    if (this.entries.has(key(model, version)))
      throw new Error(`held versions: ${model} version ${version} is held already`);
    for (const e of this.entries.values())
      if (e.model === model && e.state === 'serving') this.retireEntry(e);
    this.entries.set(key(model, version), {
      model,
      version,
      value,
      state: 'serving',
      inFlight: 0,
      neededAt: this.now(),
    });
  }

  /**
   * Serves a retiring version again (it came back to the repository before it was released),
   * retiring the one served; false when it is not held.
   */
  revive(model: string, version: number): boolean {
    const e = this.entries.get(key(model, version));
    if (e === undefined) return false;
    for (const other of this.entries.values())
      if (other.model === model && other.state === 'serving' && other !== e)
        this.retireEntry(other);
    e.state = 'serving';
    return true;
  }

  /** Every version of `model` starts retiring (the model left the repository). */
  retire(model: string): void {
    for (const e of this.entries.values()) if (e.model === model) this.retireEntry(e);
  }

  /** The serving version of `model`, if any. */
  serving(model: string): number | undefined {
    for (const e of this.entries.values())
      if (e.model === model && e.state === 'serving') return e.version;
    return undefined;
  }

  /** Version `version` of `model` (0: the serving one, else the newest held). */
  get(model: string, version: number): HeldVersion<T> {
    const e = this.find(model, version);
    return { model: e.model, version: e.version, value: e.value, retiring: e.state === 'retiring' };
  }

  /** Like get, and counts a call in flight on it until the returned release runs. */
  acquire(model: string, version: number): HeldVersion<T> & { release: () => void } {
    const e = this.find(model, version);
    e.inFlight++;
    let done = false;
    return {
      model: e.model,
      version: e.version,
      value: e.value,
      retiring: e.state === 'retiring',
      release: () => {
        if (done) return;
        done = true;
        e.inFlight--;
        if (e.state === 'retiring') e.neededAt = Math.max(e.neededAt, this.now());
      },
    };
  }

  has(model: string, version: number): boolean {
    return this.entries.has(key(model, version));
  }

  list(): HeldVersion<T>[] {
    return [...this.entries.values()]
      .sort((a, b) => (a.model === b.model ? a.version - b.version : a.model < b.model ? -1 : 1))
      .map((e) => ({
        model: e.model,
        version: e.version,
        value: e.value,
        retiring: e.state === 'retiring',
      }));
  }

  models(): string[] {
    return [...new Set([...this.entries.values()].map((e) => e.model))];
  }

  /**
   * Releases retiring versions nobody needs any more: none in flight, `inUse` (what peers
   * announce) false, and `graceMs` since they were last needed. Returns what was released.
   */
  async sweep(inUse: (model: string, version: number) => boolean): Promise<HeldVersion<T>[]> {
    const now = this.now();
    const released: HeldVersion<T>[] = [];
    for (const [k, e] of this.entries) {
      if (e.state !== 'retiring') continue;
      if (e.inFlight > 0 || inUse(e.model, e.version)) {
        e.neededAt = now;
        continue;
      }
      if (now - e.neededAt < this.options.graceMs) continue;
      this.entries.delete(k);
      released.push({ model: e.model, version: e.version, value: e.value, retiring: true });
      await this.options.release(e.value, e.model, e.version);
    }
    return released;
  }

  /** Releases everything (the service is stopping). */
  async clear(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const e of all) await this.options.release(e.value, e.model, e.version);
  }

  private retireEntry(e: Entry<T>): void {
    if (e.state === 'retiring') return;
    e.state = 'retiring';
    e.neededAt = this.now();
  }

  private find(model: string, version: number): Entry<T> {
    if (version !== 0) {
      const e = this.entries.get(key(model, version));
      if (e === undefined) {
        const held = [...this.entries.values()].filter((x) => x.model === model);
        throw held.length === 0
          ? notFound('model', model, 'not held here')
          : notFound(
              'version',
              version,
              `${model} is held here at version ${held.map((x) => x.version).join(', ')}`,
            );
      }
      return e;
    }
    let best: Entry<T> | undefined;
    for (const e of this.entries.values()) {
      if (e.model !== model) continue;
      if (
        best === undefined ||
        (e.state === 'serving' && best.state !== 'serving') ||
        (e.state === best.state && e.version > best.version)
      )
        best = e;
    }
    if (best === undefined) throw notFound('model', model, 'not held here');
    return best;
  }
}

const key = (model: string, version: number) => `${model}@${version}`;
