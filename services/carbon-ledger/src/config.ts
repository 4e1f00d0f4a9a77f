import { env, siteSpec, z } from '@recmesh/config';

/** The carbon ledger's own variables (common ones: @recmesh/config commonSpec). */
export const ledgerSpec = {
  ...siteSpec,
  durable: env(
    'RECMESH_LEDGER_DURABLE',
    z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .default('carbon-ledger'),
    "name of the ledger's durable JetStream consumer",
  ),
  db: env(
    'RECMESH_LEDGER_DB',
    z.string().min(1).optional(),
    'SQLite file of the books (WAL); default .recmesh/ledger-<mesh>.sqlite under the working directory',
  ),
  batch: env(
    'RECMESH_LEDGER_BATCH',
    z.coerce.number().int().min(1).max(10_000).default(256),
    'most usage events booked in one SQLite transaction (acks follow the commit)',
  ),
  ackWaitMs: env(
    'RECMESH_LEDGER_ACK_WAIT_MS',
    z.coerce.number().int().min(100).default(30_000),
    'how long JetStream waits for an ack before it redelivers an event to the ledger, ms',
  ),
};
