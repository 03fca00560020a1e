import { isAbsolute, resolve } from 'node:path';
import type { Plugin } from 'graphql-yoga';
import { usePersistedOperations as useYogaPersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { ConfigError, persistedQueryNotFound } from '../core/errors';
import { withGatewayServices } from './shared/gateway-services';
import { describePolicy } from './shared/describe-policy';
import type { PersistedOperationsDescription } from './shared/policy-description';
import type { DocumentNode } from 'graphql';
import {
  compilePersistedManifest,
  loadPersistedManifest,
  normalizeOperationId,
  type PersistedManifest,
} from './persisted/load-persisted-manifest';

export interface PersistedOperationsOptions {
  /**
   * The operations: a manifest file (JSON `{ "<sha256>": "<document>" }` or
   * Apollo's persisted query manifest; relative paths resolve against the
   * working directory, so BFF files pass `resolve(__dirname, ...)`), or the
   * manifest itself.
   */
  manifest: string | PersistedManifest;
  /**
   * Serve persisted operations only: a raw `query` is refused with
   * PERSISTED_QUERY_NOT_FOUND (400). When false the manifest is an optional
   * allowlist: known ids run their stored document, raw queries run as sent.
   * @default false
   */
  persistedOnly?: boolean;
}

interface RequestParams {
  extensions?: Record<string, unknown>;
  documentId?: unknown;
}

/**
 * The operation id of a request, in either format: Apollo's
 * `extensions.persistedQuery.sha256Hash` or GraphQL-over-HTTP's `documentId`
 * (JSON body, or the query string of a GET, which yoga's parser drops).
 */
export function extractOperationId(params: RequestParams, request: Request): string | null {
  const persistedQuery = params.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
  if (persistedQuery && typeof persistedQuery.sha256Hash === 'string')
    return normalizeOperationId(persistedQuery.sha256Hash);
  if (typeof params.documentId === 'string') return normalizeOperationId(params.documentId);
  if (request.method === 'GET') {
    const documentId = new URL(request.url).searchParams.get('documentId');
    if (documentId) return normalizeOperationId(documentId);
  }
  return null;
}

function requireOptions(options: PersistedOperationsOptions): void {
  const { manifest, persistedOnly } = options ?? ({} as PersistedOperationsOptions);
  if (typeof manifest !== 'string' && (!manifest || typeof manifest !== 'object')) {
    throw new ConfigError('usePersistedOperations: manifest must be a file path or an object of id -> document');
  }
  if (persistedOnly !== undefined && typeof persistedOnly !== 'boolean')
    throw new ConfigError('usePersistedOperations: persistedOnly must be a boolean');
}

/**
 * Persisted operations for one BFF (on @graphql-yoga/plugin-persisted-operations).
 * The manifest is read, parsed and validated against this BFF's schema when the
 * BFF starts: an operation that does not fit fails start-up with a ConfigError.
 */
export function usePersistedOperations(options: PersistedOperationsOptions): Plugin {
  requireOptions(options);
  // What the portal shows: the manifest as read at start-up (see describePolicy).
  let served: PersistedManifest | undefined;
  const plugin = withGatewayServices((context) => {
    const file =
      typeof options.manifest === 'string'
        ? isAbsolute(options.manifest)
          ? options.manifest
          : resolve(options.manifest)
        : undefined;
    const manifest = file ? loadPersistedManifest(file) : (options.manifest as PersistedManifest);
    served = manifest;
    // Compiled against the schema as soon as the app has it (onSchemaChange runs while the app is built).
    let documents: Map<string, DocumentNode> | undefined;
    const compile: Plugin = {
      onSchemaChange({ schema }) {
        documents = compilePersistedManifest({
          where: `bff "${context.bffName}"${file ? ` (${file})` : ''}`,
          manifest,
          schema,
        });
      },
    };
    const persistedOnly = options.persistedOnly ?? false;
    return [
      compile,
      useYogaPersistedOperations({
        getPersistedOperation: (id) => documents?.get(id) ?? null,
        allowArbitraryOperations: !persistedOnly,
        extractPersistedOperationId: (params, request) => extractOperationId(params as RequestParams, request),
        customErrors: {
          notFound: () => persistedQueryNotFound(),
          keyNotFound: () =>
            persistedQueryNotFound(
              'Send a persisted operation id (extensions.persistedQuery.sha256Hash or documentId) or a query',
            ),
          persistedQueryOnly: () =>
            persistedQueryNotFound(
              `"${context.bffName}" accepts persisted operations only: send extensions.persistedQuery.sha256Hash or documentId`,
            ),
        },
      }) as Plugin,
    ];
  });
  const persistedOnly = options.persistedOnly ?? false;
  return describePolicy(plugin, {
    policy: 'usePersistedOperations',
    options: { persistedOnly, manifest: () => served } satisfies PersistedOperationsDescription,
  });
}
