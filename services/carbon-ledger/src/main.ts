#!/usr/bin/env node
// carbon-ledger: consumes usage events from JetStream and keeps the carbon books.
import { boot } from '@recmesh/runtime';
import { ledgerSpec } from './config';

void boot('carbon-ledger', ledgerSpec).then(async (booted) => {
  // Required only now, after telemetry has started, so that gRPC is instrumented.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runLedger } = require('./ledger') as typeof import('./ledger');
  await runLedger(booted).catch((err: unknown) => {
    booted.logger.fatal(
      { err: err instanceof Error ? err.message : String(err) },
      'could not start',
    );
    process.exit(1);
  });
});
