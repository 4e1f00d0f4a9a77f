import { meter } from '@recmesh/telemetry';
import { dynamicEnergy } from '../model/energy';
import type { BatchModel, EpochModel } from '../model/nmp-model';

const LATENCY_BUCKETS_S = [
  1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1,
];

// Made on first use: the meter provider is registered by startTelemetry, and instruments made
// before it would stay no-ops.
let instruments: ReturnType<typeof makeInstruments> | undefined;
function makeInstruments() {
  const m = meter();
  const latency = (name: string, description: string) =>
    m.createHistogram(name, {
      description,
      unit: 's',
      advice: { explicitBucketBoundaries: LATENCY_BUCKETS_S },
    });
  return {
    batches: m.createCounter('recmesh_nmp_batches', { description: 'batches modelled' }),
    lookups: m.createCounter('recmesh_nmp_lookups', { description: 'lookups modelled' }),
    cacheHits: m.createCounter('recmesh_nmp_cache_hits', {
      description: 'lookups served by the RankCaches (hit rate = this / recmesh_nmp_lookups)',
    }),
    nmpLatency: latency('recmesh_nmp_modelled_latency', 'modelled batch latency on RecNMP'),
    hostLatency: latency(
      'recmesh_nmp_host_modelled_latency',
      'the same batch modelled on the plain host memory system',
    ),
    nmpSeconds: m.createCounter('recmesh_nmp_modelled_seconds', {
      description: 'sum of modelled RecNMP batch latencies',
      unit: 's',
    }),
    hostSeconds: m.createCounter('recmesh_nmp_host_modelled_seconds', {
      description: 'sum of the same batches modelled on the host (speedup = this / nmp)',
      unit: 's',
    }),
    nmpEnergy: m.createCounter('recmesh_nmp_modelled_energy', {
      description: 'modelled memory-system energy on RecNMP',
      unit: 'J',
    }),
    deviceBusy: m.createCounter('recmesh_nmp_device_busy_seconds', {
      description:
        'modelled time the NMP device was busy (epochs of batches; paced, replies wait for it)',
      unit: 's',
    }),
    hostEnergy: m.createCounter('recmesh_nmp_host_modelled_energy', {
      description: 'modelled memory-system energy of the same batches on the host',
      unit: 'J',
    }),
  };
}

/** Running totals of the batches a backend has modelled (capability report, metrics). */
export class BatchStats {
  batches = 0;
  lookups = 0;
  cacheHits = 0;
  nmpSeconds = 0;
  hostSeconds = 0;
  nmpJoules = 0;
  hostJoules = 0;
  nmpDynamicJoules = 0;
  hostDynamicJoules = 0;
  deviceBusySeconds = 0;

  /** An epoch (the batches the device ran together) has been modelled. */
  recordEpoch(epoch: EpochModel): void {
    this.deviceBusySeconds += epoch.nmpLatencyS;
    instruments ??= makeInstruments();
    instruments.deviceBusy.add(epoch.nmpLatencyS);
  }

  record(b: BatchModel): void {
    this.batches++;
    this.lookups += b.lookups;
    this.cacheHits += b.cacheHits;
    this.nmpSeconds += b.nmpLatencyS;
    this.hostSeconds += b.hostLatencyS;
    this.nmpJoules += b.nmpEnergyJ;
    this.hostJoules += b.hostEnergyJ;
    this.nmpDynamicJoules += dynamicEnergy(b.nmpEnergy);
    this.hostDynamicJoules += dynamicEnergy(b.hostEnergy);
    instruments ??= makeInstruments();
    const i = instruments;
    i.batches.add(1);
    i.lookups.add(b.lookups);
    i.cacheHits.add(b.cacheHits);
    i.nmpLatency.record(b.nmpLatencyS);
    i.hostLatency.record(b.hostLatencyS);
    i.nmpSeconds.add(b.nmpLatencyS);
    i.hostSeconds.add(b.hostLatencyS);
    i.nmpEnergy.add(b.nmpEnergyJ);
    i.hostEnergy.add(b.hostEnergyJ);
  }

  summary(): Record<string, number> {
    const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
    return {
      batches: this.batches,
      lookups: this.lookups,
      cacheHitRate: ratio(this.cacheHits, this.lookups),
      deviceBusySeconds: this.deviceBusySeconds,
      modelledSeconds: this.nmpSeconds,
      hostModelledSeconds: this.hostSeconds,
      modelledSpeedup: ratio(this.hostSeconds, this.nmpSeconds),
      modelledJoules: this.nmpJoules,
      hostModelledJoules: this.hostJoules,
      modelledEnergySaving:
        this.hostDynamicJoules > 0 ? 1 - ratio(this.nmpDynamicJoules, this.hostDynamicJoules) : 0,
      modelledEnergySavingBusy:
        this.hostJoules > 0 ? 1 - ratio(this.nmpJoules, this.hostJoules) : 0,
    };
  }
}
