import {
  credentials,
  makeGenericClientConstructor,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

const HealthClient = makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');

/** grpc.health.v1 Check against `address`; resolves to the status name (SERVING, ...). */
export function checkHealth(address: string, service = '', timeoutMs = 2000): Promise<string> {
  const client = new HealthClient(address, credentials.createInsecure()) as unknown as Client & {
    check(
      request: { service: string },
      options: { deadline: number },
      callback: (error: ServiceError | null, response: { status: string | number }) => void,
    ): void;
  };
  return new Promise<string>((resolve, reject) => {
    client.check({ service }, { deadline: Date.now() + timeoutMs }, (error, response) => {
      client.close();
      if (error !== null) reject(error);
      else resolve(String(response.status));
    });
  });
}
