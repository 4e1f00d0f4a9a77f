import { metrics, type Meter } from '@opentelemetry/api';

/** recmesh's meter; a no-op until startTelemetry has run. */
export function meter(): Meter {
  return metrics.getMeter('recmesh');
}
