import { badUserInput } from '../core/errors';
import type { GatewayContext } from '../core/context';
import { getRecordOfContext } from '../observability/request-record';

/** Characters an HTTP header value may not hold (what undici refuses): controls but tab, and DEL. */
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** Whether an HTTP request may carry this header value. */
export const isValidHeaderValue = (value: string) => !INVALID_HEADER_VALUE.test(value);

/**
 * Picks the configured client request headers to send upstream (lower-case
 * names), plus the request's id as `x-request-id` (the client's, or the one
 * generated for it) unless `requestId` is false, so upstream logs can be
 * joined with the gateway's. A value no HTTP request may carry (CR, LF, other
 * controls) is the caller's error, BAD_USER_INPUT before any upstream call:
 * left to undici it fails locally and would read as an endpoint failure.
 */
export function forwardedHeaders(
  context: GatewayContext | undefined,
  names: readonly string[],
  requestId = true,
): Record<string, string> {
  const picked: Record<string, string> = {};
  const incoming = context?.request?.headers;
  if (incoming) {
    for (const name of names) {
      const value = incoming.get(name);
      if (value === null) continue;
      if (!isValidHeaderValue(value))
        throw badUserInput(`Header "${name}" cannot be forwarded: its value contains a control character`, {
          header: name,
        });
      picked[name] = value;
    }
  }
  const record = requestId ? getRecordOfContext(context) : undefined;
  if (record) picked['x-request-id'] = record.requestId;
  return picked;
}
