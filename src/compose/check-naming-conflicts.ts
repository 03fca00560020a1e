import {
  isEnumType,
  isInputObjectType,
  isScalarType,
  isSpecifiedScalarType,
  printType,
  type GraphQLSchema,
} from 'graphql';
import { ConfigError } from '../core/errors';

export interface NamedSchema {
  readonly name: string;
  /** The source's schema as the gateway sees it (after renames). */
  readonly schema: GraphQLSchema;
  /** Entity types this source declares in `merge`: shared on purpose with the others that declare them. */
  readonly merge?: Readonly<Record<string, unknown>>;
}

const ROOT_OPERATIONS = ['Query', 'Mutation', 'Subscription'] as const;

function rootTypeNames(schema: GraphQLSchema): Set<string> {
  return new Set(
    [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) =>
      type ? [type.name] : [],
    ),
  );
}

/**
 * Two sources exporting the same root field, or the same object type, would
 * silently shadow each other when stitched. Fail with a message that names
 * both sources and the way out. Identical scalars, enums and input types are
 * shared vocabulary (JSON, DateTime, a common enum) and merge safely; so do
 * object types that both sources declare in `merge` (type merging).
 */
export function checkNamingConflicts(sources: readonly NamedSchema[]): void {
  const rootFieldOwner = new Map<string, string>();
  const typeOwner = new Map<string, { source: string; printed: string; merged: boolean }>();
  for (const { name, schema, merge = {} } of sources) {
    const roots = rootTypeNames(schema);
    for (const operation of ROOT_OPERATIONS) {
      const type =
        operation === 'Query'
          ? schema.getQueryType()
          : operation === 'Mutation'
            ? schema.getMutationType()
            : schema.getSubscriptionType();
      for (const field of Object.keys(type?.getFields() ?? {})) {
        const coordinate = `${operation}.${field}`;
        const owner = rootFieldOwner.get(coordinate);
        if (owner && owner !== name) {
          throw new ConfigError(
            `sources "${owner}" and "${name}" both export root field ${coordinate}; add a rename rule (rename.rootFieldPrefix or rename.rootFields) to one of them`,
          );
        }
        rootFieldOwner.set(coordinate, name);
      }
    }
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || roots.has(type.name) || isSpecifiedScalarType(type)) continue;
      const printed = printType(type);
      const owner = typeOwner.get(type.name);
      if (owner && owner.source !== name) {
        const merged = owner.merged && type.name in merge;
        const shareable =
          merged || isScalarType(type) || ((isEnumType(type) || isInputObjectType(type)) && owner.printed === printed);
        if (!shareable) {
          throw new ConfigError(
            `sources "${owner.source}" and "${name}" both export type ${type.name}; add a rename rule (rename.typePrefix or rename.types) to one of them, or declare ${type.name} in both sources' merge to merge it`,
          );
        }
      }
      typeOwner.set(type.name, { source: name, printed, merged: (owner?.merged ?? true) && type.name in merge });
    }
  }
}
