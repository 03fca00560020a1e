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

type SchemaObject = Record<string, unknown>;

const isObject = (value: unknown): value is SchemaObject =>
  !!value && typeof value === 'object' && !Array.isArray(value);

/** Follows a local `#/...` pointer; external refs are left to Mesh. */
function resolveLocal(document: SchemaObject, node: unknown): SchemaObject | undefined {
  if (!isObject(node)) return undefined;
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  if (!ref.startsWith('#/')) return undefined;
  let current: unknown = document;
  for (const part of ref.slice(2).split('/'))
    current = isObject(current) ? current[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return isObject(current) ? current : undefined;
}

/** `const: cat` or `enum: [cat]`: Mesh makes each its own one-value enum type (`cat_const`). */
function isPinned(document: SchemaObject, property: unknown): boolean {
  const schema = resolveLocal(document, property);
  return !!schema && ('const' in schema || (Array.isArray(schema.enum) && schema.enum.length === 1));
}

function relaxPinnedProperty(document: SchemaObject, branch: unknown, propertyName: string, seen: Set<unknown>): void {
  const schema = resolveLocal(document, branch);
  if (!schema || seen.has(schema)) return;
  seen.add(schema);
  const properties = schema.properties;
  if (isObject(properties) && isPinned(document, properties[propertyName])) {
    const pinned = properties[propertyName] as SchemaObject;
    properties[propertyName] = {
      type: 'string',
      ...(typeof pinned.description === 'string' && { description: pinned.description }),
    };
  }
  for (const part of Array.isArray(schema.allOf) ? schema.allOf : [])
    relaxPinnedProperty(document, part, propertyName, seen);
}

/**
 * Branches of a discriminated oneOf/anyOf usually pin the discriminator
 * property (`kind: { const: cat }`). Mesh gives each pin its own enum type, so
 * `... on Cat { kind } ... on Dog { kind }` fails validation (FieldsConflict).
 * The property is typed String in every branch instead: one type for all.
 */
function unifyDiscriminatorProperties(document: SchemaObject): void {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isObject(node)) return;
    const discriminator = node.discriminator;
    if (isObject(discriminator) && typeof discriminator.propertyName === 'string') {
      const mapped = isObject(discriminator.mapping)
        ? Object.values(discriminator.mapping).map((ref) => ({ $ref: ref }))
        : [];
      const branches = [
        ...(Array.isArray(node.oneOf) ? node.oneOf : []),
        ...(Array.isArray(node.anyOf) ? node.anyOf : []),
        ...mapped,
      ];
      const seen = new Set<unknown>();
      for (const branch of branches) relaxPinnedProperty(document, branch, discriminator.propertyName, seen);
    }
    for (const child of Object.values(node)) visit(child);
  };
  visit(document);
}

const isNullSchema = (node: unknown) =>
  isObject(node) && node.type === 'null' && Object.keys(node).every((key) => key === 'type' || key === 'description');

/**
 * OAS 3.1 writes "nullable X" as `anyOf: [X, {type: 'null'}]` (or oneOf).
 * Mesh sees a union with a null branch and falls back to String, losing X
 * (an enum, an object). GraphQL fields are nullable anyway: keep X alone,
 * as `allOf: [X]` so a `$ref` keeps its siblings (description).
 */
function collapseNullableUnions(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(collapseNullableUnions);
  if (!isObject(node)) return;
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const branches = node[keyword];
    if (
      !Array.isArray(branches) ||
      branches.length !== 2 ||
      node.allOf !== undefined ||
      node.discriminator !== undefined
    )
      continue;
    const others = branches.filter((branch) => !isNullSchema(branch));
    if (others.length !== 1) continue;
    delete node[keyword];
    node.allOf = others;
  }
  for (const child of Object.values(node)) collapseNullableUnions(child);
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
  unifyDiscriminatorProperties(record);
  collapseNullableUnions(record);
  const baseDir = isUrl(location) ? new URL('.', location).toString() : dirname(location);
  return { document: record, baseDir };
}
