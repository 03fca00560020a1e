import { trace } from '@opentelemetry/api';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../core/logger';
import { getRequestRecord, type RequestRecord } from './request-record';
import { sanitizeHeaders } from './sanitize-headers';

export interface RequestLogOptions {
  /** The BFF's logger (already carries `bff`). */
  logger: Logger;
}

function levelOf(record: RequestRecord): 'error' | 'warn' | 'info' {
  if ((record.status ?? 0) >= 500) return 'error';
  return record.errorCodes.length > 0 || (record.status ?? 0) >= 400 ? 'warn' : 'info';
}

/**
 * One JSON line per GraphQL request: request id, operation, status, duration,
 * error codes and upstream call count, plus the trace id when traced. Header
 * values that carry credentials are redacted here and again by the logger's
 * redact paths.
 */
export function useRequestLog({ logger }: RequestLogOptions): Plugin {
  return {
    onResponse({ request }) {
      const record = getRequestRecord(request);
      if (!record) return;
      const level = record.graphql ? levelOf(record) : 'debug';
      if (!logger.isLevelEnabled(level)) return;
      const spanContext = trace.getActiveSpan()?.spanContext();
      const url = new URL(request.url);
      logger[level](
        {
          reqId: record.requestId,
          operation: record.operationName ?? 'unknown',
          operationType: record.operationType,
          status: record.status,
          durationMs: Math.round((record.durationMs ?? 0) * 10) / 10,
          errorCodes: record.errorCodes,
          upstreamCalls: record.upstreamCalls,
          upstreamErrors: record.upstreamErrors,
          ...(record.apiVersion !== undefined && { version: record.apiVersion, client: record.client }),
          ...(spanContext &&
            trace.isSpanContextValid(spanContext) && { traceId: spanContext.traceId, spanId: spanContext.spanId }),
          req: { method: request.method, path: url.pathname, headers: sanitizeHeaders(request.headers) },
        },
        'request',
      );
    },
  };
}
