import { trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  readonly service: string;
  readonly instance: string;
  readonly level: string;
}

/**
 * One JSON object per line on stdout, with the service, the instance and, inside a traced call,
 * the trace and span ids, so logs join their traces.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino({
    level: options.level,
    base: { service: options.service, instance: options.instance, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const span = trace.getActiveSpan();
      if (span === undefined) return {};
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
  });
}
