#!/usr/bin/env node
// dense-worker: runs a model's dense graph (bottom MLP, interaction, top MLP).
import { boot } from '@recmesh/runtime';
import { workerSpec } from './config';

void boot('dense-worker', workerSpec).then(async (booted) => {
  // Required only now, after telemetry has started, so that gRPC is instrumented.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runWorker } = require('./worker') as typeof import('./worker');
  await runWorker(booted).catch((err: unknown) => {
    booted.logger.fatal(
      { err: err instanceof Error ? err.message : String(err) },
      'could not start',
    );
    process.exit(1);
  });
});
