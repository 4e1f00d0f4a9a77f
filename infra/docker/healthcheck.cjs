#!/usr/bin/env node
// Container health check: grpc.health.v1 Check against this container's own gRPC server.
// Exit 0 when the server reports SERVING, 1 otherwise (NOT_SERVING while it loads or drains, no
// answer within the timeout, no server). Docker's HEALTHCHECK and compose run it; Kubernetes
// probes the same service natively (grpc: probes) and does not need it.
'use strict';
const { checkHealth } = require('@recmesh/rpc');

const port = Number(process.env.RECMESH_PORT);
/** Below HEALTHCHECK --timeout (3 s), so that a slow answer reads as unhealthy, not as a hang. */
const timeoutMs = 2000;
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write(
    `healthcheck: RECMESH_PORT must be a fixed port, not ${process.env.RECMESH_PORT}\n`,
  );
  process.exit(1);
}
checkHealth(`127.0.0.1:${port}`, '', timeoutMs).then(
  (status) => {
    process.stdout.write(`grpc.health.v1 ${status}\n`);
    process.exit(status === 'SERVING' ? 0 : 1);
  },
  (err) => {
    process.stderr.write(`healthcheck: ${err.message}\n`);
    process.exit(1);
  },
);
