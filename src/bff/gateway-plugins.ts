import type { Plugin } from 'graphql-yoga';
import type { PolicyContext } from '../plugins/policy-context';
import { useRequestRecord } from '../observability/use-request-record';
import { useRequestTracing } from '../observability/use-request-tracing';
import { useRequestMetrics } from '../observability/use-request-metrics';
import { useRequestLog } from '../observability/use-request-log';
import { useRefusalStatus } from '../plugins/http/use-refusal-status';
import { useVariableErrorCodes } from '../plugins/use-variable-error-codes';
import { useGetMethodPolicy } from '../plugins/http/use-get-method-policy';

/**
 * Plugins every BFF gets whatever its file says, ahead of its own policies:
 * request logging, metrics, tracing (src/observability), one HTTP status
 * per refusal whatever the Accept header (useRefusalStatus), a code on
 * variable coercion errors, and 405 for a mutation sent as a GET. The record plugin
 * comes first: it fills the per-request record (operation, status, error
 * codes, upstream calls) that the others read when the response leaves.
 * Tracing is outermost among instrumentations so policy spans nest in it.
 */
export function createGatewayPlugins(context: PolicyContext): Plugin[] {
  return [
    useRequestRecord(),
    useRequestTracing({ bffName: context.bffName }),
    useRequestMetrics({ bffName: context.bffName, registry: context.metrics }),
    useRequestLog({ logger: context.logger }),
    useRefusalStatus(),
    useVariableErrorCodes(),
    // Before Yoga's own check, so a mutation over GET is refused with Loom's code.
    useGetMethodPolicy(),
  ];
}
