import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import {
  RankingServiceClient,
  type ListModelsResponse,
  type RankRequest,
  type RankResponse,
} from '@recmesh/proto';
import { toRankRequest, type PlainQuery } from './plain-query';

/** 256 MiB, as the servers accept: large queries must not hit grpc's 4 MB default. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

export interface RankOptions {
  /** Deadline of the call, ms from now. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** A client of recmesh's RankingService. */
export class RankingClient {
  private readonly client: RankingServiceClient;

  constructor(readonly address: string) {
    this.client = new RankingServiceClient(address, credentials.createInsecure(), {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    });
  }

  rank(query: PlainQuery | RankRequest, options: RankOptions = {}): Promise<RankResponse> {
    const request = isRankRequest(query) ? query : toRankRequest(query);
    return new Promise((resolve, reject) => {
      const call = this.client.rank(
        request,
        new Metadata(),
        { deadline: Date.now() + (options.timeoutMs ?? 10_000) },
        (error: ServiceError | null, response: RankResponse) =>
          error === null ? resolve(response) : reject(error),
      );
      options.signal?.addEventListener('abort', () => call.cancel(), { once: true });
    });
  }

  listModels(timeoutMs = 5000): Promise<ListModelsResponse> {
    return new Promise((resolve, reject) => {
      this.client.listModels(
        {},
        new Metadata(),
        { deadline: Date.now() + timeoutMs },
        (error, response) => (error === null ? resolve(response) : reject(error)),
      );
    });
  }

  /** Resolves once the channel is connected, or rejects after `timeoutMs`. */
  waitForReady(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.waitForReady(Date.now() + timeoutMs, (err) =>
        err === undefined || err === null ? resolve() : reject(err),
      );
    });
  }

  close(): void {
    this.client.close();
  }
}

function isRankRequest(q: PlainQuery | RankRequest): q is RankRequest {
  return (
    Buffer.isBuffer((q as RankRequest).user?.dense) ||
    (q as RankRequest).items?.itemIds instanceof Uint8Array
  );
}
