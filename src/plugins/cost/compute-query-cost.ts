import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isListType,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** A per-field override (`'Query.search': { cost: 10 }`). */
export interface FieldCostOverride {
  /** Cost of the field itself. @default options.defaultFieldCost (or the type's cost) */
  cost?: number;
  /** List size assumed when no size argument is given. @default options.defaultListSize */
  listSize?: number;
  /** Arguments whose value is the list size, first found wins. @default options.listSizeArguments */
  sizeArguments?: string[];
}

export interface QueryCostOptions {
  /** Cost of every field without an override. @default 1 */
  defaultFieldCost?: number;
  /** Cost of a field returning one of these types (`{ Product: 2 }`); field overrides win. @default {} */
  typeCosts?: Record<string, number>;
  /** Per-field overrides keyed by schema coordinate `Type.field`: a number (the field's cost) or a {@link FieldCostOverride}. @default {} */
  fieldCosts?: Record<string, number | FieldCostOverride>;
  /** Items a list field is assumed to return when the query sets no size argument. @default 10 */
  defaultListSize?: number;
  /** Arguments whose value bounds a list field's size, first found wins. @default ['first', 'last', 'limit', 'pageSize', 'size', 'take'] */
  listSizeArguments?: string[];
  /** Cost of each `__schema` / `__type` selection, whatever is inside it (`__typename` is free). @default 1 */
  introspectionCost?: number;
}

export interface QueryCostInput {
  /** Operation to price when the document has several; without it the most expensive one is priced. */
  operationName?: string | null;
}

const DEFAULT_LIST_SIZE_ARGUMENTS = ['first', 'last', 'limit', 'pageSize', 'size', 'take'];

/** Options with defaults applied and checked; build once with {@link resolveQueryCostOptions}. */
export interface ResolvedQueryCostOptions {
  defaultFieldCost: number;
  typeCosts: Record<string, number>;
  fieldCosts: Record<string, FieldCostOverride>;
  defaultListSize: number;
  listSizeArguments: string[];
  introspectionCost: number;
}

interface Walk {
  readonly schema: GraphQLSchema;
  readonly options: ResolvedQueryCostOptions;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  readonly variables: Record<string, unknown>;
}

function requireNonNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`query cost: ${name} must be a non-negative number, got ${value}`);
}

/** Applies defaults and checks every number, so a bad BFF file fails at start-up, not per request. */
export function resolveQueryCostOptions(options: QueryCostOptions = {}): ResolvedQueryCostOptions {
  const resolved: ResolvedQueryCostOptions = {
    defaultFieldCost: options.defaultFieldCost ?? 1,
    typeCosts: { ...options.typeCosts },
    fieldCosts: {},
    defaultListSize: options.defaultListSize ?? 10,
    listSizeArguments: options.listSizeArguments ?? DEFAULT_LIST_SIZE_ARGUMENTS,
    introspectionCost: options.introspectionCost ?? 1,
  };
  requireNonNegative('defaultFieldCost', resolved.defaultFieldCost);
  requireNonNegative('defaultListSize', resolved.defaultListSize);
  requireNonNegative('introspectionCost', resolved.introspectionCost);
  for (const [typeName, cost] of Object.entries(resolved.typeCosts)) requireNonNegative(`typeCosts.${typeName}`, cost);
  for (const [coordinate, override] of Object.entries(options.fieldCosts ?? {})) {
    if (!/^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*$/.test(coordinate)) {
      throw new TypeError(`query cost: fieldCosts key "${coordinate}" is not a Type.field coordinate`);
    }
    const normalized = typeof override === 'number' ? { cost: override } : { ...override };
    if (normalized.cost !== undefined) requireNonNegative(`fieldCosts["${coordinate}"].cost`, normalized.cost);
    if (normalized.listSize !== undefined) requireNonNegative(`fieldCosts["${coordinate}"].listSize`, normalized.listSize);
    resolved.fieldCosts[coordinate] = normalized;
  }
  return resolved;
}

/**
 * The cost of an operation, before it runs. Pure: same inputs, same number.
 *
 * A field costs its own cost (1 by default) plus, when it returns objects,
 * the cost of its selection times the list size for list fields: the value
 * of a size argument (`first`, `limit`, ...) or `defaultListSize`. Nested lists
 * multiply. A list of scalars costs as one field. On an interface or union the
 * most expensive possible type counts. Introspection is a flat
 * `introspectionCost`. `@skip`/`@include` with a known condition are honoured.
 * Options are checked on every call (a bad option throws a TypeError); plugins
 * use {@link createQueryCostCalculator} to check them once, at start-up.
 */
export function computeQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined = {},
  options: QueryCostOptions = {},
  input: QueryCostInput = {},
): number {
  return priceDocument(schema, document, variables ?? {}, resolveQueryCostOptions(options), input);
}

/** The type of a calculator built by {@link createQueryCostCalculator}. */
export type QueryCostCalculator = (
  schema: GraphQLSchema,
  document: DocumentNode,
  variables?: Record<string, unknown> | null,
  input?: QueryCostInput,
) => number;

/** Checks and resolves the options once (throwing a TypeError at start-up) and returns {@link computeQueryCost} bound to them. */
export function createQueryCostCalculator(options: QueryCostOptions = {}): QueryCostCalculator {
  const resolved = resolveQueryCostOptions(options);
  return (schema, document, variables, input = {}) => priceDocument(schema, document, variables ?? {}, resolved, input);
}

function priceDocument(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  resolved: ResolvedQueryCostOptions,
  input: QueryCostInput,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
  }
  const chosen = input.operationName ? operations.filter((operation) => operation.name?.value === input.operationName) : operations;
  let highest = 0;
  for (const operation of chosen) {
    const rootType = schema.getRootType(operation.operation);
    const walk: Walk = { schema, options: resolved, fragments, variables: withVariableDefaults(operation, variables) };
    const cost = rootType ? selectionSetCost(walk, operation.selectionSet, rootType, new Set()) : 0;
    highest = Math.max(highest, cost);
  }
  return highest;
}

function withVariableDefaults(operation: OperationDefinitionNode, variables: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...variables };
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (merged[name] === undefined && definition.defaultValue) merged[name] = valueFromASTUntyped(definition.defaultValue);
  }
  return merged;
}

/** On an abstract type, the most expensive possible object type counts. */
function selectionSetCost(walk: Walk, selectionSet: SelectionSetNode, parentType: GraphQLCompositeType, fragmentPath: Set<string>): number {
  if (!isAbstractType(parentType)) return concreteSelectionCost(walk, selectionSet, parentType, fragmentPath);
  let highest = 0;
  for (const possibleType of walk.schema.getPossibleTypes(parentType)) {
    highest = Math.max(highest, concreteSelectionCost(walk, selectionSet, possibleType, fragmentPath));
  }
  return highest;
}

function concreteSelectionCost(walk: Walk, selectionSet: SelectionSetNode, objectType: GraphQLObjectType, fragmentPath: Set<string>): number {
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (!isIncluded(walk, selection.directives)) continue;
    if (selection.kind === Kind.FIELD) {
      total += fieldCost(walk, selection, objectType, fragmentPath);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition?.name.value;
      if (condition === undefined || appliesTo(walk.schema, condition, objectType)) {
        total += concreteSelectionCost(walk, selection.selectionSet, objectType, fragmentPath);
      }
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments.get(name);
      // A cycle is a validation error; pricing it as free keeps this total.
      if (!fragment || fragmentPath.has(name) || !appliesTo(walk.schema, fragment.typeCondition.name.value, objectType)) continue;
      fragmentPath.add(name);
      total += concreteSelectionCost(walk, fragment.selectionSet, objectType, fragmentPath);
      fragmentPath.delete(name);
    }
  }
  return total;
}

function appliesTo(schema: GraphQLSchema, condition: string, objectType: GraphQLObjectType): boolean {
  if (condition === objectType.name) return true;
  const conditionType = schema.getType(condition);
  return conditionType !== undefined && isAbstractType(conditionType) && schema.isSubType(conditionType, objectType);
}

function fieldCost(walk: Walk, node: FieldNode, parentType: GraphQLObjectType, fragmentPath: Set<string>): number {
  const name = node.name.value;
  if (name === '__typename') return 0;
  if (name === '__schema' || name === '__type') return walk.options.introspectionCost;
  const field = parentType.getFields()[name];
  const override = walk.options.fieldCosts[`${parentType.name}.${name}`];
  if (!field) return override?.cost ?? walk.options.defaultFieldCost;
  const namedType = getNamedType(field.type);
  const ownCost = override?.cost ?? walk.options.typeCosts[namedType.name] ?? walk.options.defaultFieldCost;
  if (!node.selectionSet || !isCompositeType(namedType)) return ownCost;
  const childCost = selectionSetCost(walk, node.selectionSet, namedType, fragmentPath);
  return ownCost + listMultiplier(walk, node, field, override) * childCost;
}

/** Product of the sizes of every list level: `[[Item]]` with size 10 is 100 items. */
function listMultiplier(walk: Walk, node: FieldNode, field: GraphQLField<unknown, unknown>, override: FieldCostOverride | undefined): number {
  let depth = 0;
  for (let type = getNullableType(field.type); isListType(type); type = getNullableType(type.ofType)) depth += 1;
  if (depth === 0) return 1;
  const size = sizeFromArguments(walk, node, field, override?.sizeArguments ?? walk.options.listSizeArguments) ?? override?.listSize ?? walk.options.defaultListSize;
  return size ** depth;
}

function sizeFromArguments(walk: Walk, node: FieldNode, field: GraphQLField<unknown, unknown>, names: string[]): number | undefined {
  for (const name of names) {
    const argument = field.args.find((arg) => arg.name === name);
    if (!argument) continue;
    const argumentNode = node.arguments?.find((arg) => arg.name.value === name);
    const value = argumentNode ? readValue(argumentNode.value, walk.variables) : argument.defaultValue;
    if (typeof value === 'number' && Number.isFinite(value)) return Math.max(0, Math.ceil(value));
    if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  }
  return undefined;
}

function readValue(node: ValueNode, variables: Record<string, unknown>): unknown {
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  if (node.kind === Kind.INT || node.kind === Kind.FLOAT) return Number(node.value);
  if (node.kind === Kind.STRING) return node.value;
  return undefined;
}

function isIncluded(walk: Walk, directives: FieldNode['directives']): boolean {
  for (const directive of directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const argument = directive.arguments?.find((arg) => arg.name.value === 'if');
    if (!argument) continue;
    const condition = argument.value.kind === Kind.BOOLEAN ? argument.value.value : readValue(argument.value, walk.variables);
    // An unknown condition counts the selection: the estimate errs high.
    if (typeof condition !== 'boolean') continue;
    if (name === 'skip' && condition) return false;
    if (name === 'include' && !condition) return false;
  }
  return true;
}
