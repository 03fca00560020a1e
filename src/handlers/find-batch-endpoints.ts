import {
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { BatchEndpoint } from './types';

/** `ids` -> `id`, `customerIds` -> `customerId`, `keys` -> `key`. */
function singular(name: string): string {
  return name.endsWith('s') ? name.slice(0, -1) : name;
}

function isListOfScalars(field: GraphQLField<unknown, unknown>['args'][number]): boolean {
  const type = getNullableType(field.type);
  return isListType(type) && isScalarType(getNamedType(type));
}

function returnsListOfObjects(field: GraphQLField<unknown, unknown>): GraphQLObjectType | undefined {
  const type = getNullableType(field.type);
  const named = getNamedType(field.type);
  return isListType(type) && isObjectType(named) ? named : undefined;
}

/** A Query field returning one `typeName` and taking `keyField` as an argument: the single-entity lookup. */
function findSingleField(
  fields: GraphQLField<unknown, unknown>[],
  typeName: string,
  keyField: string,
): string | undefined {
  return fields.find(
    (field) =>
      getNamedType(field.type).name === typeName &&
      !isListType(getNullableType(field.type)) &&
      field.args.some((arg) => arg.name === keyField),
  )?.name;
}

/**
 * Batch endpoints of any executable schema: a root Query field that takes one
 * list of scalar keys (`ids: [ID]`) and returns a list of an object type that
 * has the matching key field (`id`). Works for REST (`GET /customers?ids=`),
 * gRPC (`GetOrdersByIds(repeated string ids)`) and GraphQL sources alike.
 */
export function findBatchEndpoints(schema: GraphQLSchema): BatchEndpoint[] {
  const fields = Object.values(schema.getQueryType()?.getFields() ?? {});
  const endpoints: BatchEndpoint[] = [];
  for (const field of fields) {
    const entity = returnsListOfObjects(field);
    if (!entity) continue;
    const keyArguments = field.args.filter(isListOfScalars);
    const otherRequired = field.args.filter(
      (arg) => !keyArguments.includes(arg) && getNullableType(arg.type) !== arg.type && arg.defaultValue === undefined,
    );
    if (keyArguments.length !== 1 || otherRequired.length > 0) continue;
    const keysArgument = keyArguments[0].name;
    const entityFields = entity.getFields();
    const keyField = [singular(keysArgument), 'id'].find((candidate) => candidate in entityFields);
    if (!keyField) continue;
    endpoints.push({
      batchField: field.name,
      keysArgument,
      keyField,
      typeName: entity.name,
      singleField: findSingleField(fields, entity.name, keyField),
    });
  }
  return endpoints;
}
