import { dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isUrl, readLocation } from '../spec-location';

export interface OpenApiDocument {
  /** The parsed document, with constructs Mesh cannot map made safe. */
  readonly document: Record<string, unknown>;
  /** What relative `$ref`s resolve against: the spec's directory or URL base. */
  readonly baseDir: string;
}

/**
 * JSON-Schema tuple form (`items: [ {...}, {...} ]`, with `additionalItems`) is
 * not OAS 3.0, yet real specs use it (Redocly's demo). Mesh cannot name the
 * tuple members and gives up on the whole spec; we type such arrays as lists
 * of JSON instead, which loses nothing at runtime.
 */
function relaxTupleArrays(node: unknown): void {
  if (Array.isArray(node)) {
    for (const child of node) relaxTupleArrays(child);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const schema = node as Record<string, unknown>;
  if (Array.isArray(schema.items)) {
    schema.items = {};
    delete schema.additionalItems;
  }
  for (const child of Object.values(schema)) relaxTupleArrays(child);
}

/** Reads an OpenAPI/Swagger spec (file path or http URL, YAML or JSON). */
export async function readOpenApiDocument(location: string): Promise<OpenApiDocument> {
  const text = await readLocation(location);
  const document = parseYaml(text, { maxAliasCount: -1 }) as unknown;
  if (!document || typeof document !== 'object' || Array.isArray(document)) {
    throw new Error('not an OpenAPI document (expected a YAML or JSON object)');
  }
  const record = document as Record<string, unknown>;
  if (!record.openapi && !record.swagger) throw new Error('not an OpenAPI document (no "openapi" or "swagger" field)');
  relaxTupleArrays(record);
  const baseDir = isUrl(location) ? new URL('.', location).toString() : dirname(location);
  return { document: record, baseDir };
}
