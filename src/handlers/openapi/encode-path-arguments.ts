import {
  getNamedType,
  isListType,
  getNullableType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLSchema,
} from 'graphql';
import { getDirective } from '@graphql-tools/utils';
import { badUserInput } from '../../core/errors';

/** `{args.id}` in an `@httpOperation` path template. */
const PATH_ARGUMENT = /\{args\.([_A-Za-z][_0-9A-Za-z]*)\}/g;

/** Reserved characters encodeURIComponent leaves alone but RFC 6570 simple expansion encodes. */
const SUB_DELIMS_KEPT = /[!'()*]/g;

/**
 * One value as one path segment, RFC 6570 simple expansion: everything but
 * unreserved characters is percent-encoded, so `/`, `?`, `#` and `%` stay
 * inside the segment. A whole `.` or `..` segment is encoded too: left as is,
 * URL parsers (ours and the backend's) would resolve it as a dot segment and
 * reach another route. Throws BAD_USER_INPUT for a lone surrogate, which has
 * no UTF-8 form.
 */
export function encodePathSegment(value: string): string {
  if (value === '.' || value === '..') return value.replace(/\./g, '%2E');
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    throw badUserInput('A path argument is not valid Unicode (lone surrogate)');
  }
  return encoded.replace(SUB_DELIMS_KEPT, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function encodeScalar(value: unknown, argument: GraphQLArgument): unknown {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return value;
  const named = getNamedType(argument.type);
  let text: unknown = value;
  if (typeof value !== 'string' && isScalarType(named)) {
    try {
      text = named.serialize(value);
    } catch {
      text = value;
    }
  }
  if (typeof text !== 'string') return value;
  // An empty segment would collapse (`/a//b` becomes `/a/b` when the URL is joined): another route.
  if (text === '') throw badUserInput(`Path argument "${argument.name}" must not be empty`);
  const encoded = encodePathSegment(text);
  return encoded === text ? value : encoded;
}

function encodeArgument(value: unknown, argument: GraphQLArgument): unknown {
  // A list expands to comma-separated encoded items (RFC 6570 `{list}`); the commas stay literal.
  if (Array.isArray(value) && isListType(getNullableType(argument.type)))
    return value.map((item) => encodeScalar(item, argument));
  return encodeScalar(value, argument);
}

function pathArgumentsOf(schema: GraphQLSchema, field: GraphQLField<unknown, unknown>): GraphQLArgument[] {
  const path = getDirective(schema, field, 'httpOperation')?.[0]?.path;
  if (typeof path !== 'string') return [];
  const names = new Set([...path.split('?')[0].matchAll(PATH_ARGUMENT)].map((match) => match[1]));
  return field.args.filter((argument) => names.has(argument.name));
}

/**
 * Omnigraph interpolates path arguments into the URL as they are, so
 * `getProduct(id: "../customers/3")` would call GET /customers/3. This wraps
 * the resolver of every root field whose path has arguments, handing it those
 * arguments already encoded as one segment each. Mutates `schema` (fresh from
 * the loader) in place.
 */
export function encodePathArguments(schema: GraphQLSchema): GraphQLSchema {
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      const pathArguments = pathArgumentsOf(schema, field);
      const resolve = field.resolve;
      if (pathArguments.length === 0 || !resolve) continue;
      field.resolve = (parent, args: Record<string, unknown>, context, info) => {
        const encoded = { ...args };
        for (const argument of pathArguments) {
          if (argument.name in encoded) encoded[argument.name] = encodeArgument(encoded[argument.name], argument);
        }
        return resolve(parent, encoded, context, info);
      };
    }
  }
  return schema;
}
