#!/usr/bin/env node
// Fails with a clear message unless a NATS server with JetStream answers at NATS_URL.
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const url = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
try {
  const nc = await connect({ servers: url, timeout: 3000 });
  const jsm = await jetstreamManager(nc);
  const info = await jsm.getAccountInfo();
  console.log(`NATS ${nc.info?.version} at ${url}: JetStream on (${info.streams} streams)`);
  await nc.close();
} catch (err) {
  console.error(
    `NATS with JetStream is needed at ${url}: ${err.message}. Start one with: nats-server -js`,
  );
  process.exit(1);
}
