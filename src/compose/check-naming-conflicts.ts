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

/** Two sources that export the same root field or the same (unmergeable) type. */
export interface NamingConflict {
  readonly kind: 'rootField' | 'type';
  /** `Query.listProducts` or `Customer`. */
  readonly name: string;
  /** The source that exported it first, in config order. */
  readonly owner: string;
  /** The source that exports it again. */
  readonly other: string;
  /** One line naming both sources and the way out. */
  readonly message: string;
}

const ROOT_OPERATIONS = ['Query', 'Mutation', 'Subscription'] as const;

function rootTypeNames(schema: GraphQLSchema): Set<string> {
  return new Set(
    [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) =>
      type ? [type.name] : [],
    ),
  );
}

function rootType(schema: GraphQLSchema, operation: (typeof ROOT_OPERATIONS)[number]) {
  return operation === 'Query'
    ? schema.getQueryType()
    : operation === 'Mutation'
      ? schema.getMutationType()
      : schema.getSubscriptionType();
}

const rootFieldConflict = (owner: string, other: string, coordinate: string): NamingConflict => ({
  kind: 'rootField',
  name: coordinate,
  owner,
  other,
  message: `sources "${owner}" and "${other}" both export root field ${coordinate}; add a rename rule (rename.rootFieldPrefix or rename.rootFields) to one of them`,
});

const typeConflict = (owner: string, other: string, typeName: string): NamingConflict => ({
  kind: 'type',
  name: typeName,
  owner,
  other,
  message: `sources "${owner}" and "${other}" both export type ${typeName}; add a rename rule (rename.typePrefix or rename.types) to one of them, or declare ${typeName} in both sources' merge to merge it`,
});

/**
 * Every root field and object type that two sources export, which would
 * silently shadow each other when stitched. Identical scalars, enums and input
 * types are shared vocabulary (JSON, DateTime, a common enum) and merge
 * safely; so do object types that both sources declare in `merge` (type
 * merging). All of them at once: a team adding a source renames once, not
 * once per restart.
 */
export function findNamingConflicts(sources: readonly NamedSchema[]): NamingConflict[] {
  const conflicts: NamingConflict[] = [];
  const rootFieldOwner = new Map<string, string>();
  const typeOwner = new Map<string, { source: string; printed: string; merged: boolean }>();
  for (const { name, schema, merge = {} } of sources) {
    const roots = rootTypeNames(schema);
    for (const operation of ROOT_OPERATIONS) {
      for (const field of Object.keys(rootType(schema, operation)?.getFields() ?? {})) {
        const coordinate = `${operation}.${field}`;
        const owner = rootFieldOwner.get(coordinate);
        if (owner && owner !== name) conflicts.push(rootFieldConflict(owner, name, coordinate));
        else rootFieldOwner.set(coordinate, name);
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
          conflicts.push(typeConflict(owner.source, name, type.name));
          continue;
        }
      }
      typeOwner.set(type.name, { source: name, printed, merged: (owner?.merged ?? true) && type.name in merge });
    }
  }
  return conflicts;
}

/** Throws one ConfigError listing every naming conflict, one line each. */
export function checkNamingConflicts(sources: readonly NamedSchema[]): void {
  const conflicts = findNamingConflicts(sources);
  if (conflicts.length > 0) throw new NamingConflictError(conflicts);
}

/** The sources clash: every conflict, one line each (a ConfigError, so the CLI prints them all). */
export class NamingConflictError extends ConfigError {
  constructor(readonly conflicts: readonly NamingConflict[]) {
    super(conflicts.map((conflict) => conflict.message).join('\n'));
  }
}
