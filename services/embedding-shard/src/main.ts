#!/usr/bin/env node
// embedding-shard: holds table partitions and answers pooled lookups.
import { boot } from '@recmesh/runtime';
import { shardSpec } from './config';

void boot('embedding-shard', shardSpec).then(async (booted) => {
  // Required only now, after telemetry has started, so that gRPC is instrumented.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runShard } = require('./shard') as typeof import('./shard');
  await runShard(booted).catch((err: unknown) => {
    booted.logger.fatal(
      { err: err instanceof Error ? err.message : String(err) },
      'could not start',
    );
    process.exit(1);
  });
});
