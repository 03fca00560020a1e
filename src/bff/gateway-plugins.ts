import type { Plugin } from 'graphql-yoga';
import type { PolicyContext } from './define-bff';

/**
 * Plugins every BFF gets whatever its file says, ahead of its own policies:
 * request logging, metrics, tracing (observability, #10). Kept apart from
 * the BFF assembly so cross-cutting concerns have one place.
 */
export function createGatewayPlugins(_context: PolicyContext): Plugin[] {
  return [];
}
