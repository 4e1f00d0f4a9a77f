import type { SiteFeedEvents } from './site-feed';
import { meter, type Logger } from '@recmesh/telemetry';

/** Counts and logs the grid feed's points and the messages it refused. */
export function gridFeedMetrics(logger: Logger): SiteFeedEvents {
  const points = meter().createCounter('recmesh_grid_points', {
    description: 'grid intensity points received from the live feed',
  });
  const rejected = meter().createCounter('recmesh_grid_points_rejected', {
    description:
      'grid feed messages refused (malformed, negative or non-numeric intensity, wrong region)',
  });
  return {
    onPoint: (p) => {
      points.add(1);
      logger.info(
        { fromMs: p.fromMs, gPerKwh: p.gPerKwh, source: p.source },
        'grid intensity point',
      );
    },
    onReject: (why, seq) => {
      rejected.add(1);
      logger.warn({ seq, why }, 'grid feed message refused');
    },
  };
}
