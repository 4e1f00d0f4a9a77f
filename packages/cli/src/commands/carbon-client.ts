import { credentials, Metadata } from '@grpc/grpc-js';
import { connectBus, PeerRegistry } from '@recmesh/bus';
import { RecmeshError } from '@recmesh/errors';
import { CarbonServiceClient, type ReportRequest, type ReportResponse } from '@recmesh/proto';

/**
 * The address of a mesh's carbon ledger, learnt from its announcement on NATS (PeerRegistry,
 * role carbon-ledger).
 */
export async function discoverLedger(
  natsUrl: string,
  mesh: string,
  timeoutMs: number,
): Promise<string> {
  const nc = await connectBus({ servers: natsUrl, name: 'recmesh-cli', timeoutMs });
  const registry = new PeerRegistry(nc, mesh);
  try {
    registry.start();
    const until = Date.now() + timeoutMs;
    for (;;) {
      const ledger = registry.list('carbon-ledger').find((a) => a.ready);
      if (ledger !== undefined) return ledger.address;
      if (Date.now() > until)
        throw new RecmeshError(
          'unavailable',
          `no carbon ledger announced itself on mesh "${mesh}" at ${natsUrl} within ${timeoutMs} ms; is the mesh up? (or give --target host:port)`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    registry.stop();
    await nc.close();
  }
}

/** One CarbonService.Report call. */
export function fetchReport(
  address: string,
  request: ReportRequest,
  timeoutMs = 10_000,
): Promise<ReportResponse> {
  const client = new CarbonServiceClient(address, credentials.createInsecure());
  return new Promise<ReportResponse>((resolve, reject) => {
    client.report(request, new Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
      if (err === null) resolve(res);
      else reject(err);
    });
  }).finally(() => client.close());
}
