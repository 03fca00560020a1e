import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { ConfigError } from '../../core/errors';

/** Operation id -> document text. */
export type PersistedManifest = Readonly<Record<string, string>>;

interface ApolloManifest {
  format: 'apollo-persisted-query-manifest';
  operations: Array<{ id: string; body: string }>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** `sha256:abc…` (GraphQL-over-HTTP persisted documents) and `abc…` name the same operation. */
export const normalizeOperationId = (id: string) => (id.startsWith('sha256:') ? id.slice('sha256:'.length) : id);

function isApolloManifest(value: unknown): value is ApolloManifest {
  return !!value && typeof value === 'object' && (value as ApolloManifest).format === 'apollo-persisted-query-manifest';
}

/**
 * Reads a manifest file: either a flat JSON object `{ "<sha256>": "<document>" }`
 * or Apollo's persisted query manifest (`{ format, operations: [{ id, body }] }`).
 */
export function loadPersistedManifest(file: string): PersistedManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      `${file}: cannot read the persisted operations manifest: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (isApolloManifest(raw)) {
    if (!Array.isArray(raw.operations)) throw new ConfigError(`${file}: operations must be a list`);
    return Object.fromEntries(raw.operations.map((operation) => [operation.id, operation.body]));
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(`${file}: expected an object of hash -> document`);
  return raw as PersistedManifest;
}

export interface CompileManifestOptions {
  /** Names the BFF and the manifest in error messages. */
  where: string;
  manifest: PersistedManifest;
  /** The schema of the BFF that serves these operations. */
  schema: GraphQLSchema;
}

/**
 * Parses every operation and validates it against this BFF's schema, once, at
 * start-up. An operation written for another BFF (one that touches a field this
 * view hides) fails here with the id and graphql's reason. A sha256-looking id
 * must be the hash of its document, so a stale manifest cannot pass.
 */
export function compilePersistedManifest({
  where,
  manifest,
  schema,
}: CompileManifestOptions): Map<string, DocumentNode> {
  const documents = new Map<string, DocumentNode>();
  for (const [rawId, body] of Object.entries(manifest)) {
    const id = normalizeOperationId(rawId);
    const named = `${where}: persisted operation ${rawId}`;
    if (typeof body !== 'string' || body.trim() === '')
      throw new ConfigError(`${named}: the document must be a non-empty string`);
    if (SHA256_HEX.test(id) && sha256Hex(body) !== id)
      throw new ConfigError(`${named}: the id is not the sha256 of its document`);
    let document: DocumentNode;
    try {
      document = parse(body);
    } catch (error) {
      throw new ConfigError(`${named}: ${(error as Error).message}`);
    }
    const errors = validate(schema, document);
    if (errors.length)
      throw new ConfigError(
        `${named} does not fit this BFF's schema: ${errors.map((error) => error.message).join('; ')}`,
      );
    documents.set(id, document);
  }
  return documents;
}
