import { dirname, join } from 'node:path';
import {
  credentials,
  loadPackageDefinition,
  type Client,
  type ClientDuplexStream,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

type ReflectionClient = Client & {
  ServerReflectionInfo(options: {
    deadline: number;
  }): ClientDuplexStream<{ listServices: string }, ReflectionResponse>;
};

let ctor:
  | (new (
      address: string,
      creds: ReturnType<typeof credentials.createInsecure>,
    ) => ReflectionClient)
  | undefined;

/** The service names a server lists through grpc.reflection.v1 (what `grpcurl list` shows). */
export function listServices(address: string, timeoutMs = 3000): Promise<string[]> {
  if (ctor === undefined) {
    const protoDir = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto');
    const pkg = loadPackageDefinition(
      loadSync('grpc/reflection/v1/reflection.proto', { includeDirs: [protoDir] }),
    ) as unknown as {
      grpc: { reflection: { v1: { ServerReflection: typeof ctor } } };
    };
    ctor = pkg.grpc.reflection.v1.ServerReflection;
  }
  const client = new (ctor as NonNullable<typeof ctor>)(address, credentials.createInsecure());
  return new Promise<string[]>((resolve, reject) => {
    const call = client.ServerReflectionInfo({ deadline: Date.now() + timeoutMs });
    call.on('data', (response: ReflectionResponse) => {
      call.end();
      client.close();
      if (response.listServicesResponse !== undefined)
        resolve(response.listServicesResponse.service.map((s) => s.name).sort());
      else
        reject(new Error(`reflection error: ${response.errorResponse?.errorMessage ?? 'no list'}`));
    });
    call.on('error', (err) => {
      client.close();
      reject(err);
    });
    call.write({ listServices: '*' });
  });
}
