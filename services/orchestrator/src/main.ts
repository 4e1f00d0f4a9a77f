#!/usr/bin/env node
// orchestrator: the public Rank API; batches, fans out to shards and workers, merges.
import { boot } from '@recmesh/runtime';
import { orchestratorSpec } from './config';

void boot('orchestrator', orchestratorSpec).then(async (booted) => {
  // Required only now, after telemetry has started, so that gRPC is instrumented.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runOrchestrator } = require('./orchestrator') as typeof import('./orchestrator');
  await runOrchestrator(booted).catch((err: unknown) => {
    booted.logger.fatal(
      { err: err instanceof Error ? err.message : String(err) },
      'could not start',
    );
    process.exit(1);
  });
});
