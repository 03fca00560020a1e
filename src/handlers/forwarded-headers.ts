import type { GatewayContext } from '../core/context';

/** Picks the configured client request headers to send upstream (lower-case names). */
export function forwardedHeaders(context: GatewayContext | undefined, names: readonly string[]): Record<string, string> {
  const incoming = context?.request?.headers;
  if (!incoming || names.length === 0) return {};
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = incoming.get(name);
    if (value !== null) picked[name] = value;
  }
  return picked;
}
