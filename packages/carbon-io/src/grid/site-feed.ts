import type { NatsConnection } from '@nats-io/transport-node';
import type { GridPoint, GridSeries } from '@recmesh/carbon';
import type { ConfigOf, siteSpec } from '@recmesh/config';
import { followGrid } from './grid-follower';
import { siteGrid } from './site-grid';

export interface SiteFactorsSource {
  /** The region's grid intensity over time: table or fixed value, file points, feed points. */
  readonly grid: GridSeries;
  readonly pue: number;
  readonly region: string;
  stop(): Promise<void>;
}

export interface SiteFeedEvents {
  readonly onPoint?: (point: GridPoint) => void;
  readonly onReject?: (why: string, seq: number) => void;
}

/**
 * The site's factors from configuration, following the live grid feed when it is on. Resolves
 * once the feed's stored points are in, so the first receipt or booking already sees them.
 */
export async function startSiteFactors(
  nc: NatsConnection,
  mesh: string,
  config: ConfigOf<typeof siteSpec>,
  events: SiteFeedEvents = {},
): Promise<SiteFactorsSource> {
  const grid = siteGrid({
    region: config.region,
    gPerKwh: config.gridGPerKwh,
    regionsFile: config.gridRegions,
    seriesFile: config.gridSeries,
  });
  const follower =
    config.gridFeed === 'on'
      ? await followGrid(nc, mesh, config.region, {
          onPoint: (point) => {
            grid.add(point);
            events.onPoint?.(point);
          },
          onReject: (why, seq) => events.onReject?.(why, seq),
        })
      : undefined;
  await follower?.ready;
  return {
    grid,
    pue: config.pue,
    region: config.region,
    stop: async () => {
      await follower?.stop();
    },
  };
}
