import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metrics, type Meter } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  NoopSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface TelemetryOptions {
  readonly service: string;
  readonly instance: string;
  readonly host: string;
  /** Port of the Prometheus /metrics endpoint; 0 picks a free one. */
  readonly metricsPort: number;
  /** OTLP/HTTP base URL (`http://collector:4318`); undefined: spans are made but not exported. */
  readonly otlpEndpoint: string | undefined;
}

export interface Telemetry {
  readonly meter: Meter;
  /** Port the /metrics endpoint listens on. */
  readonly metricsPort: number;
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry for this process. Call it before anything loads @grpc/grpc-js: the gRPC
 * instrumentation patches grpc-js as it is loaded, and that is what carries trace context from
 * call to call across processes.
 */
export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  // Without an endpoint the spans still get real ids (for propagation and log correlation).
  const spanProcessor: SpanProcessor =
    options.otlpEndpoint === undefined
      ? new NoopSpanProcessor()
      : new BatchSpanProcessor(
          new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces` }),
        );
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.service,
      [ATTR_SERVICE_VERSION]: '0.1.0',
      'service.instance.id': options.instance,
    }),
    spanProcessors: [spanProcessor],
    metricReader: prometheus,
    instrumentations: [new GrpcInstrumentation()],
  });
  sdk.start();

  const server: Server = createServer((req, res) => {
    if (req.url === '/metrics' || req.url?.startsWith('/metrics?')) {
      prometheus.getMetricsRequestHandler(req, res);
    } else {
      res.statusCode = 404;
      res.end('not found: try /metrics\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.metricsPort, options.host, () => resolve());
  });
  server.unref();
  const metricsPort = (server.address() as AddressInfo).port;

  return {
    meter: metrics.getMeter('recmesh'),
    metricsPort,
    async shutdown() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sdk.shutdown();
    },
  };
}
