import { DenseServiceClient, EmbeddingServiceClient } from '@recmesh/proto';
import { clientArgs } from '@recmesh/rpc';

/** One gRPC client (one HTTP/2 connection) per peer address, reused by every query. */
export class ClientPool {
  private readonly embedding = new Map<string, EmbeddingServiceClient>();
  private readonly dense = new Map<string, DenseServiceClient>();

  embeddingClient(address: string): EmbeddingServiceClient {
    let c = this.embedding.get(address);
    if (c === undefined) {
      c = new EmbeddingServiceClient(address, ...clientArgs());
      this.embedding.set(address, c);
    }
    return c;
  }

  denseClient(address: string): DenseServiceClient {
    let c = this.dense.get(address);
    if (c === undefined) {
      c = new DenseServiceClient(address, ...clientArgs());
      this.dense.set(address, c);
    }
    return c;
  }

  close(): void {
    for (const c of [...this.embedding.values(), ...this.dense.values()]) c.close();
    this.embedding.clear();
    this.dense.clear();
  }
}
