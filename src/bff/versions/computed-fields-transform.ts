import {
  GraphQLObjectType,
  Kind,
  TypeInfo,
  isObjectType,
  isOutputType,
  parse,
  parseType,
  specifiedRules,
  typeFromAST,
  validate,
  visit,
  visitWithTypeInfo,
  NoUnusedFragmentsRule,
  type FieldNode,
  type GraphQLFieldConfig,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionNode,
} from 'graphql';
import { MapperKind, mapSchema, type ExecutionRequest } from '@graphql-tools/utils';
import type { Transform } from '@graphql-tools/delegate';
import { ConfigError } from '../../core/errors';
import type { ComputedFieldMapping } from './version-options';

/** Required fields travel under this alias prefix, so they never clash with what the client selected itself. */
const ALIAS_PREFIX = 'loom__computed__';
const FIELD_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

interface ComputedField {
  readonly typeName: string;
  readonly fieldName: string;
  readonly type: GraphQLOutputType;
  /** The `requires` selections, aliased. */
  readonly selections: readonly SelectionNode[];
  /** Required field name -> alias it travels under. */
  readonly aliases: ReadonlyMap<string, string>;
  readonly mapping: ComputedFieldMapping;
}

function parseComputedField(
  where: string,
  schema: GraphQLSchema,
  coordinate: string,
  mapping: ComputedFieldMapping,
): ComputedField {
  const [typeName, fieldName, ...rest] = coordinate.split('.');
  const type = schema.getType(typeName);
  if (rest.length || !fieldName || !FIELD_NAME.test(fieldName) || !isObjectType(type))
    throw new ConfigError(`${where} "${coordinate}": expected Type.field on an object type of the graph`);
  if (type.getFields()[fieldName])
    throw new ConfigError(`${where} "${coordinate}": the graph still has this field; no computed field needed`);
  let fieldType: GraphQLOutputType | undefined;
  try {
    const candidate = typeFromAST(schema, parseType(mapping.type) as never);
    fieldType = candidate && isOutputType(candidate) ? candidate : undefined;
  } catch {
    fieldType = undefined;
  }
  if (!fieldType)
    throw new ConfigError(`${where} "${coordinate}": type "${mapping.type}" is not an output type of the graph`);
  let document;
  try {
    document = parse(`fragment Requires on ${typeName} { ${mapping.requires} }`);
  } catch (error) {
    throw new ConfigError(`${where} "${coordinate}": requires: ${(error as Error).message}`);
  }
  const errors = validate(
    schema,
    document,
    specifiedRules.filter((rule) => rule !== NoUnusedFragmentsRule),
  );
  if (errors.length) throw new ConfigError(`${where} "${coordinate}": requires: ${errors[0].message}`);
  const definition = document.definitions[0];
  if (definition.kind !== Kind.FRAGMENT_DEFINITION) throw new ConfigError(`${where} "${coordinate}": bad requires`);
  const aliases = new Map<string, string>();
  const selections = definition.selectionSet.selections.map((selection): SelectionNode => {
    if (selection.kind !== Kind.FIELD || selection.alias)
      throw new ConfigError(`${where} "${coordinate}": requires lists fields, without aliases or fragments`);
    const alias = `${ALIAS_PREFIX}${selection.name.value}`;
    aliases.set(selection.name.value, alias);
    return { ...selection, alias: { kind: Kind.NAME, value: alias } };
  });
  return { typeName, fieldName, type: fieldType, selections, aliases, mapping };
}

function fieldConfig(field: ComputedField): GraphQLFieldConfig<Record<string, unknown>, unknown> {
  return {
    type: field.type,
    description: field.mapping.description,
    resolve: (parent) => {
      const source: Record<string, unknown> = {};
      for (const [name, alias] of field.aliases) source[name] = parent[alias];
      return field.mapping.resolve(source);
    },
  };
}

/**
 * A graphql-tools transform that adds fields computed from other fields, as
 * @graphql-tools/wrap's own transforms do for renames: the schema gains the
 * field, and each delegated request has it replaced by the fields it is
 * computed from (aliased), so computing costs no extra upstream call. The
 * field resolves from the object delegation returns.
 */
export class AddComputedFields implements Transform {
  private readonly fields: ReadonlyMap<string, ComputedField>;
  private transformedSchema?: GraphQLSchema;

  constructor(where: string, schema: GraphQLSchema, computed: Record<string, ComputedFieldMapping>) {
    this.fields = new Map(
      Object.entries(computed).map(([coordinate, mapping]) => [
        coordinate,
        parseComputedField(where, schema, coordinate, mapping),
      ]),
    );
  }

  transformSchema(schema: GraphQLSchema): GraphQLSchema {
    const byType = new Map<string, ComputedField[]>();
    for (const field of this.fields.values())
      byType.set(field.typeName, [...(byType.get(field.typeName) ?? []), field]);
    this.transformedSchema = mapSchema(schema, {
      [MapperKind.OBJECT_TYPE]: (type) => {
        const added = byType.get(type.name);
        if (!added) return type;
        const config = type.toConfig();
        return new GraphQLObjectType({
          ...config,
          fields: {
            ...config.fields,
            ...Object.fromEntries(added.map((field) => [field.fieldName, fieldConfig(field)])),
          },
        });
      },
    });
    return this.transformedSchema;
  }

  transformRequest(request: ExecutionRequest): ExecutionRequest {
    if (!this.transformedSchema) return request;
    const typeInfo = new TypeInfo(this.transformedSchema);
    const document = visit(
      request.document,
      visitWithTypeInfo(typeInfo, {
        [Kind.SELECTION_SET]: {
          leave: (node) => {
            const parentType = typeInfo.getParentType();
            if (!parentType) return undefined;
            let changed = false;
            const selections = node.selections.flatMap((selection) => {
              const computed =
                selection.kind === Kind.FIELD
                  ? this.fields.get(`${parentType.name}.${(selection as FieldNode).name.value}`)
                  : undefined;
              if (!computed) return [selection];
              changed = true;
              return computed.selections;
            });
            return changed ? { ...node, selections } : undefined;
          },
        },
      }),
    );
    return { ...request, document };
  }
}
