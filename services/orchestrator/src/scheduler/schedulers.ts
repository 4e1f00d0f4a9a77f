import type { ModelSpec } from '@recmesh/models';
import { notFound } from '@recmesh/errors';
import { meter } from '@recmesh/telemetry';
import { ModelScheduler, type SchedulerSettings, type SchedulerState } from './model-scheduler';

/** One scheduler per served model, its state exported as metrics. */
export class Schedulers {
  private readonly byModel = new Map<string, ModelScheduler>();

  constructor(
    models: readonly ModelSpec[],
    private readonly settings: Omit<SchedulerSettings, 'targetP95Ms'> & {
      targetP95Ms: number | undefined;
    },
  ) {
    for (const m of models) this.ensure(m);
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

  /** The scheduler of `spec`'s model, made on first use (a model new in the repository). */
  ensure(spec: Pick<ModelSpec, 'name' | 'targets'>): ModelScheduler {
    let s = this.byModel.get(spec.name);
    if (s === undefined) {
      s = new ModelScheduler({
        ...this.settings,
        targetP95Ms: this.settings.targetP95Ms ?? spec.targets.medium,
      });
      this.byModel.set(spec.name, s);
    }
    return s;
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
