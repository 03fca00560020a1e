import type { Registry } from 'prom-client';
import type { EndpointHealth } from './endpoint-pool';

export interface SourceUpstreamHealth {
  source: string;
  endpoints: EndpointHealth[];
}

/**
 * Endpoint health per source, for /readyz. Keyed by the gateway's metrics
 * registry (one per gateway) rather than held at module level, so two
 * gateways in one process (tests) never see each other's upstreams.
 */
const boards = new WeakMap<Registry, Map<string, () => EndpointHealth[]>>();

/** Registers a source's health reader; returns the function that removes it (call on close). */
export function registerUpstreamHealth(registry: Registry, source: string, read: () => EndpointHealth[]): () => void {
  let board = boards.get(registry);
  if (!board) boards.set(registry, (board = new Map()));
  board.set(source, read);
  return () => {
    if (board.get(source) === read) board.delete(source);
  };
}

/** Every registered source's endpoints: breaker state, ejection, calls in flight. */
export function describeUpstreamHealth(registry: Registry): SourceUpstreamHealth[] {
  return [...(boards.get(registry) ?? new Map<string, () => EndpointHealth[]>())].map(([source, read]) => ({
    source,
    endpoints: read(),
  }));
}
