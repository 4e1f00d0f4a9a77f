/** One curve of a latency-throughput plot. */
export interface Curve {
  readonly name: string;
  readonly points: readonly {
    readonly qps: number;
    readonly p95Ms: number;
    readonly p99Ms: number;
  }[];
}

/**
 * p95 and p99 latency against offered load, one line per curve, with the target as a rule:
 * the plot people read DeepRecSys' results from. Rendered by vega-lite to a standalone SVG.
 */
export async function latencyThroughputSvg(
  curves: readonly Curve[],
  targetMs: number,
  title: string,
): Promise<string> {
  const values = curves.flatMap((c) =>
    c.points.flatMap((p) => [
      { policy: c.name, percentile: 'p95', qps: p.qps, latency: p.p95Ms },
      { policy: c.name, percentile: 'p99', qps: p.qps, latency: p.p99Ms },
    ]),
  );
  return renderSvg({
    title,
    width: 560,
    height: 340,
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'qps', type: 'quantitative', title: 'offered load (queries/s)' },
          y: {
            field: 'latency',
            type: 'quantitative',
            title: 'latency (ms)',
            scale: { type: 'log' },
          },
          color: { field: 'policy', type: 'nominal' },
          strokeDash: { field: 'percentile', type: 'nominal' },
        },
      },
      {
        data: { values: [{ target: targetMs }] },
        mark: { type: 'rule', color: 'red' },
        encoding: { y: { field: 'target', type: 'quantitative' } },
      },
    ],
  });
}

/** A vega-lite specification rendered to a standalone SVG. */
async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const vega = await import('vega');
  const vl = await import('vega-lite');
  const compiled = vl.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...spec,
  } as Parameters<typeof vl.compile>[0]).spec;
  return new vega.View(vega.parse(compiled), { renderer: 'none' }).toSVG();
}

/** One configuration of a quality-latency trade-off plot. */
export interface TradeOffPoint {
  readonly name: string;
  readonly latencyMs: number;
  readonly quality: number;
  /** g CO2e per query (the colour). */
  readonly carbonG: number;
  /** `front`, `chosen`, `other`: the mark's group. */
  readonly group: 'front' | 'chosen' | 'other';
}

/**
 * Quality against p95 latency, one point per configuration, coloured by carbon per query, the
 * Pareto front as a line and the chosen configuration marked; the target as a rule.
 */
export async function paretoSvg(
  points: readonly TradeOffPoint[],
  targetMs: number,
  title: string,
  qualityTitle: string,
): Promise<string> {
  const values = points.map((p) => ({ ...p }));
  const x = {
    field: 'latencyMs',
    type: 'quantitative',
    title: 'p95 latency (ms)',
    scale: { type: 'log' },
  };
  const y = { field: 'quality', type: 'quantitative', title: qualityTitle, scale: { zero: false } };
  return renderSvg({
    title,
    width: 560,
    height: 360,
    layer: [
      {
        data: { values: values.filter((p) => p.group === 'other') },
        mark: { type: 'point', opacity: 0.5 },
        encoding: {
          x,
          y,
          color: { field: 'carbonG', type: 'quantitative', title: 'g CO2e / query (modelled)' },
        },
      },
      {
        data: { values: values.filter((p) => p.group !== 'other') },
        mark: { type: 'line', point: true, color: 'black' },
        encoding: { x, y, order: { field: 'latencyMs', type: 'quantitative' } },
      },
      {
        data: { values: values.filter((p) => p.group === 'chosen') },
        mark: { type: 'point', shape: 'diamond', size: 200, color: 'red', filled: true },
        encoding: { x, y, tooltip: { field: 'name' } },
      },
      {
        data: { values: values.filter((p) => p.group === 'chosen') },
        mark: { type: 'text', dy: -14, color: 'red' },
        encoding: { x, y, text: { field: 'name' } },
      },
      {
        data: { values: [{ target: targetMs }] },
        mark: { type: 'rule', color: 'red', strokeDash: [4, 4] },
        encoding: { x: { field: 'target', type: 'quantitative' } },
      },
    ],
  });
}
