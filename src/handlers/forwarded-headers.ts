import type { GatewayContext } from '../core/context';
import { getRecordOfContext } from '../observability/request-record';

/**
 * Picks the configured client request headers to send upstream (lower-case
 * names), plus the request's id as `x-request-id` (the client's, or the one
 * generated for it) unless `requestId` is false, so upstream logs can be
 * joined with the gateway's.
 */
export function forwardedHeaders(context: GatewayContext | undefined, names: readonly string[], requestId = true): Record<string, string> {
  const picked: Record<string, string> = {};
  const incoming = context?.request?.headers;
  if (incoming) {
    for (const name of names) {
      const value = incoming.get(name);
      if (value !== null) picked[name] = value;
    }
  }
  const record = requestId ? getRecordOfContext(context) : undefined;
  if (record) picked['x-request-id'] = record.requestId;
  return picked;
}
