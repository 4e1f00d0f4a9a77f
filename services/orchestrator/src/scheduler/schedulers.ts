import type { ModelSpec } from '@recmesh/models';
import { notFound } from '@recmesh/errors';
import { meter } from '@recmesh/telemetry';
import { ModelScheduler, type SchedulerSettings, type SchedulerState } from './model-scheduler';

/** One scheduler per served model, its state exported as metrics. */
export class Schedulers {
  private readonly byModel = new Map<string, ModelScheduler>();

  constructor(
    models: readonly ModelSpec[],
    settings: Omit<SchedulerSettings, 'targetP95Ms'> & { targetP95Ms: number | undefined },
  ) {
    for (const m of models) {
      this.byModel.set(
        m.name,
        new ModelScheduler({ ...settings, targetP95Ms: settings.targetP95Ms ?? m.targets.medium }),
      );
    }
    const gauges = {
      batch: meter().createObservableGauge('recmesh_scheduler_batch_size', {
        description: 'items per batch the scheduler uses now',
      }),
      threshold: meter().createObservableGauge('recmesh_scheduler_offload_threshold', {
        description: 'query size sent whole to the accelerator pool (-1: none)',
      }),
      p95: meter().createObservableGauge('recmesh_scheduler_p95_ms', {
        description: 'p95 latency of the last measurement window',
        unit: 'ms',
      }),
      qps: meter().createObservableGauge('recmesh_scheduler_qps', {
        description: 'queries per second of the last measurement window',
      }),
      phase: meter().createObservableGauge('recmesh_scheduler_phase', {
        description: '1 for the phase the scheduler is in',
      }),
    };
    meter().addBatchObservableCallback((result) => {
      for (const [model, s] of this.byModel) {
        const st = s.state();
        result.observe(gauges.batch, st.batchSize, { model });
        result.observe(
          gauges.threshold,
          Number.isFinite(st.offloadThreshold) ? st.offloadThreshold : -1,
          { model },
        );
        result.observe(gauges.p95, st.p95Ms, { model });
        result.observe(gauges.qps, st.qps, { model });
        result.observe(gauges.phase, 1, { model, phase: st.phase, policy: st.policy });
      }
    }, Object.values(gauges));
  }

  get(model: string): ModelScheduler {
    const s = this.byModel.get(model);
    if (s === undefined)
      throw notFound(
        'model',
        model,
        `unknown model; served: ${[...this.byModel.keys()].join(', ')}`,
      );
    return s;
  }

  /** Every model's scheduler, or the one named (empty: all). */
  select(model: string): [string, ModelScheduler][] {
    return model === '' ? [...this.byModel] : [[model, this.get(model)]];
  }

  states(model: string): (SchedulerState & { model: string })[] {
    return this.select(model).map(([name, s]) => ({ model: name, ...s.state() }));
  }
}
