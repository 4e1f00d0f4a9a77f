import { invalidArgument } from '@recmesh/errors';
import type { GridRegion } from './regions';

/** A grid intensity in force from `fromMs` until the next point. */
export interface GridPoint {
  /** Epoch ms; -Infinity for the region's base value. */
  readonly fromMs: number;
  /** gCO2e/kWh. */
  readonly gPerKwh: number;
  /** Where the figure comes from (a feed, a file, a table). */
  readonly source: string;
  /** Year the figure describes, where known. */
  readonly year?: number;
}

/** One stretch of time with one intensity. */
export interface GridSegment {
  readonly fromMs: number;
  readonly toMs: number;
  readonly point: GridPoint;
}

/**
 * A region's grid intensity over time: a step function. It starts at the region's table value
 * and follows the points of a file or a live feed. Receipts and the ledger read the same series,
 * so a query and the usage it caused are costed with the same factor.
 */
export class GridSeries {
  private readonly points: GridPoint[];

  constructor(
    readonly region: string,
    base: GridRegion,
  ) {
    this.points = [
      { fromMs: -Infinity, gPerKwh: base.gPerKwh, source: base.source, year: base.year },
    ];
  }

  /** Adds a point (a point at an existing time replaces it). */
  add(point: GridPoint): void {
    if (!Number.isFinite(point.fromMs))
      throw invalidArgument('grid point from', point.fromMs, 'must be a time (epoch ms)');
    if (!(Number.isFinite(point.gPerKwh) && point.gPerKwh >= 0))
      throw invalidArgument('grid point g_per_kwh', point.gPerKwh, 'must be a number >= 0');
    const i = this.indexAt(point.fromMs);
    if ((this.points[i] as GridPoint).fromMs === point.fromMs) this.points[i] = point;
    else this.points.splice(i + 1, 0, point);
  }

  /** The point in force at `tMs`. */
  at(tMs: number): GridPoint {
    return this.points[this.indexAt(tMs)] as GridPoint;
  }

  /** The stretches of [startMs, endMs] and their points (one when nothing changed). */
  segments(startMs: number, endMs: number): GridSegment[] {
    const out: GridSegment[] = [];
    for (let i = this.indexAt(startMs); i < this.points.length; i++) {
      const point = this.points[i] as GridPoint;
      const next = this.points[i + 1]?.fromMs ?? Infinity;
      const from = Math.max(startMs, point.fromMs);
      const to = Math.min(endMs, next);
      if (out.length > 0 && from >= endMs) break;
      out.push({ fromMs: from, toMs: to, point });
    }
    return out;
  }

  /**
   * Time-weighted mean intensity over [startMs, endMs], gCO2e/kWh: the factor for usage spread
   * over a window. An empty window takes the value in force at its start.
   */
  meanOver(startMs: number, endMs: number): number {
    if (!(endMs > startMs)) return this.at(startMs).gPerKwh;
    let weighted = 0;
    for (const s of this.segments(startMs, endMs))
      weighted += (s.toMs - s.fromMs) * s.point.gPerKwh;
    return weighted / (endMs - startMs);
  }

  get size(): number {
    return this.points.length;
  }

  /** Every point in time order, the base value (fromMs -Infinity) first. */
  all(): readonly GridPoint[] {
    return [...this.points];
  }

  /** Index of the last point with fromMs <= t (binary search; the base point is at -Infinity). */
  private indexAt(t: number): number {
    let lo = 0;
    let hi = this.points.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.points[mid] as GridPoint).fromMs <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
