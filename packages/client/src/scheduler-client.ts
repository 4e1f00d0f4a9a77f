import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import {
  SchedulerServiceClient,
  type ConfigureSchedulerRequest,
  type SchedulerStates,
} from '@recmesh/proto';

/** A client of the orchestrator's SchedulerService (DeepRecSched state and settings). */
export class SchedulerClient {
  private readonly client: SchedulerServiceClient;

  constructor(readonly address: string) {
    this.client = new SchedulerServiceClient(address, credentials.createInsecure());
  }

  getState(model = '', timeoutMs = 5000): Promise<SchedulerStates> {
    return new Promise((resolve, reject) => {
      this.client.getState(
        { model },
        new Metadata(),
        { deadline: Date.now() + timeoutMs },
        (error: ServiceError | null, response: SchedulerStates) =>
          error === null ? resolve(response) : reject(error),
      );
    });
  }

  configure(
    request: Partial<ConfigureSchedulerRequest>,
    timeoutMs = 5000,
  ): Promise<SchedulerStates> {
    const full: ConfigureSchedulerRequest = {
      model: '',
      policy: '',
      batchSize: 0,
      offloadThreshold: 0,
      targetP95Ms: 0,
      ...request,
    };
    return new Promise((resolve, reject) => {
      this.client.configure(
        full,
        new Metadata(),
        { deadline: Date.now() + timeoutMs },
        (error: ServiceError | null, response: SchedulerStates) =>
          error === null ? resolve(response) : reject(error),
      );
    });
  }

  close(): void {
    this.client.close();
  }
}
