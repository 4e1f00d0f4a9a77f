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
  const vega = await import('vega');
  const vl = await import('vega-lite');
  const values = curves.flatMap((c) =>
    c.points.flatMap((p) => [
      { policy: c.name, percentile: 'p95', qps: p.qps, latency: p.p95Ms },
      { policy: c.name, percentile: 'p99', qps: p.qps, latency: p.p99Ms },
    ]),
  );
  const spec = vl.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
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
  }).spec;
  return new vega.View(vega.parse(spec), { renderer: 'none' }).toSVG();
}
