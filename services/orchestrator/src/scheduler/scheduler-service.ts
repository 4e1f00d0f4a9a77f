import { invalidArgument } from '@recmesh/errors';
import {
  SchedulerServiceService,
  type ConfigureSchedulerRequest,
  type GetSchedulerStateRequest,
  type SchedulerStates,
} from '@recmesh/proto';
import { unary, type ServiceBinding } from '@recmesh/rpc';
import type { Logger } from '@recmesh/telemetry';
import type { Policy, SchedulerSettings } from './model-scheduler';
import type { Schedulers } from './schedulers';

const toWire = (x: number) => (Number.isFinite(x) ? x : -1);

function statesOf(schedulers: Schedulers, model: string, shed: number): SchedulerStates {
  return {
    models: schedulers.states(model).map((s) => ({
      model: s.model,
      policy: s.policy,
      phase: s.phase,
      batchSize: s.batchSize,
      offloadThreshold: toWire(s.offloadThreshold),
      targetP95Ms: s.targetP95Ms,
      p95Ms: s.p95Ms,
      p99Ms: s.p99Ms,
      qps: s.qps,
      accelerator: s.accelerator,
      retunes: s.retunes,
      windows: String(s.windows),
      shed,
      history: s.history.map((h) => ({
        phase: h.phase,
        batchSize: h.batchSize,
        offloadThreshold: toWire(h.offloadThreshold),
        p95Ms: h.p95Ms,
        qps: h.qps,
      })),
    })),
  };
}

/** SchedulerService: the tuned state (batch size, threshold, p95, QPS, phase) and a way to set it. */
export function schedulerService(
  schedulers: Schedulers,
  shed: () => number,
  logger: Logger,
): ServiceBinding {
  const getState = (request: GetSchedulerStateRequest): Promise<SchedulerStates> =>
    Promise.resolve(statesOf(schedulers, request.model, shed()));
  const configure = (request: ConfigureSchedulerRequest): Promise<SchedulerStates> => {
    const change: { -readonly [K in keyof SchedulerSettings]?: SchedulerSettings[K] } = {};
    if (request.policy !== '') {
      if (request.policy !== 'static' && request.policy !== 'deeprecsched')
        throw invalidArgument('policy', request.policy, 'one of static, deeprecsched');
      change.policy = request.policy as Policy;
    }
    if (request.batchSize !== 0) change.batchSize = request.batchSize;
    if (request.offloadThreshold === -1) change.offloadThreshold = Infinity;
    else if (request.offloadThreshold !== 0) {
      if (request.offloadThreshold < 1)
        throw invalidArgument(
          'offload_threshold',
          request.offloadThreshold,
          'must be >= 1, or -1 for no offload',
        );
      change.offloadThreshold = request.offloadThreshold;
    }
    if (request.targetP95Ms !== 0) change.targetP95Ms = request.targetP95Ms;
    for (const [, s] of schedulers.select(request.model)) s.configure(change);
    logger.info({ model: request.model || '*', change }, 'scheduler configured');
    return Promise.resolve(statesOf(schedulers, request.model, shed()));
  };
  return {
    name: 'recmesh.v1.SchedulerService',
    definition: SchedulerServiceService,
    implementation: {
      getState: unary('SchedulerService/GetState', logger, getState),
      configure: unary('SchedulerService/Configure', logger, configure),
    },
  };
}
