import {
  type GraphQLError,
  getNamedType,
  getNullableType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  validate,
  type GraphQLField,
  type GraphQLSchema,
} from 'graphql';
import { ConfigError } from '../core/errors';

/** Arguments that bound a list's length, as the cost function reads them. */
const SIZE_ARGUMENTS = ['first', 'limit', 'pageSize', 'size', 'take'];
const EXAMPLE_LIST_SIZE = 3;
const EXAMPLE_FIELD_COUNT = 4;

const needsValue = (field: GraphQLField<unknown, unknown>) =>
  field.args.some((argument) => isNonNullType(argument.type) && argument.defaultValue === undefined);

/** The leaf fields an example selects: `id` and `name` first, then the schema's order. */
function leafSelection(field: GraphQLField<unknown, unknown>): string[] {
  const type = getNamedType(field.type);
  if (!isObjectType(type)) return [];
  const leaves = Object.values(type.getFields()).filter(
    (child) => isLeafType(getNamedType(child.type)) && !needsValue(child),
  );
  const rank = (name: string) => (name === 'id' ? 0 : name === 'name' ? 1 : 2);
  return leaves
    .map((leaf) => leaf.name)
    .sort((left, right) => rank(left) - rank(right))
    .slice(0, EXAMPLE_FIELD_COUNT);
}

/**
 * A query that runs on this schema with no variables: the first root query
 * field that needs no argument value and returns an object, its `id`, `name`
 * and first leaf fields, a list bounded to 3 when it takes a size argument.
 * Undefined when no root field fits.
 */
export function createExampleQuery(schema: GraphQLSchema): string | undefined {
  for (const field of Object.values(schema.getQueryType()?.getFields() ?? {})) {
    if (needsValue(field)) continue;
    const leaves = leafSelection(field);
    if (leaves.length === 0) continue;
    const sizeArgument = isListType(getNullableType(field.type))
      ? field.args.find((argument) => SIZE_ARGUMENTS.includes(argument.name))
      : undefined;
    const args = sizeArgument ? `(${sizeArgument.name}: ${EXAMPLE_LIST_SIZE})` : '';
    return `{\n  ${field.name}${args} {\n${leaves.map((leaf) => `    ${leaf}\n`).join('')}  }\n}\n`;
  }
  return undefined;
}

/**
 * A ready query for one root query field: its required arguments as
 * variables, a list bounded to 3, `id`, `name` and the first leaf fields.
 * Undefined when the field returns no object with leaf fields.
 */
export function createFieldQuery(schema: GraphQLSchema, fieldName: string): string | undefined {
  const field = schema.getQueryType()?.getFields()[fieldName];
  if (!field) return undefined;
  const leaves = leafSelection(field);
  const named = getNamedType(field.type);
  if (leaves.length === 0 && !isLeafType(named)) return undefined;
  const required = field.args.filter((argument) => isNonNullType(argument.type) && argument.defaultValue === undefined);
  const sizeArgument = isListType(getNullableType(field.type))
    ? field.args.find((argument) => SIZE_ARGUMENTS.includes(argument.name) && !required.includes(argument))
    : undefined;
  const variables = required.map((argument) => `$${argument.name}: ${argument.type.toString()}`).join(', ');
  const args = [
    ...required.map((argument) => `${argument.name}: $${argument.name}`),
    ...(sizeArgument ? [`${sizeArgument.name}: ${EXAMPLE_LIST_SIZE}`] : []),
  ].join(', ');
  const selection = leaves.length ? ` {\n${leaves.map((leaf) => `    ${leaf}\n`).join('')}  }` : '';
  const operationName = fieldName.charAt(0).toUpperCase() + fieldName.slice(1);
  return `query ${operationName}${variables ? `(${variables})` : ''} {\n  ${field.name}${args ? `(${args})` : ''}${selection}\n}\n`;
}

/** Checks a BFF file's `exampleQuery` against the BFF's schema at start-up: a stale example fails there, not in a browser. */
export function requireValidExampleQuery(bffName: string, exampleQuery: string, schema: GraphQLSchema): void {
  let errors: readonly GraphQLError[];
  try {
    errors = validate(schema, parse(exampleQuery));
  } catch (error) {
    errors = [error as GraphQLError];
  }
  if (errors.length > 0)
    throw new ConfigError(`bff "${bffName}": exampleQuery does not fit the BFF's schema: ${errors[0].message}`);
}
