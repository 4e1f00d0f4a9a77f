import { env, z } from '@recmesh/config';

/** The carbon ledger's own variables (common ones: @recmesh/config commonSpec). */
export const ledgerSpec = {
  durable: env(
    'RECMESH_LEDGER_DURABLE',
    z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .default('carbon-ledger'),
    "name of the ledger's durable JetStream consumer",
  ),
  region: env(
    'RECMESH_REGION',
    z.string().default('usa'),
    'grid region of the books (ACT grid table key)',
  ),
  gridGPerKwh: env(
    'RECMESH_GRID_G_PER_KWH',
    z.coerce.number().nonnegative().optional(),
    "grid intensity, gCO2e/kWh (default: the region's ACT figure)",
  ),
  pue: env(
    'RECMESH_PUE',
    z.coerce.number().min(1).default(1.1),
    'power usage effectiveness of the site',
  ),
};
