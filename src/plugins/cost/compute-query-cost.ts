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
import { readValue, requestedListSize, type ListSizeRules } from './list-size';

/** A per-field override (`'Query.search': { cost: 10 }`). */
export interface FieldCostOverride {
  /** Cost of the field itself. @default options.defaultFieldCost (or the type's cost) */
  cost?: number;
  /** List size assumed when no size argument is given. @default options.defaultListSize */
  listSize?: number;
  /** Arguments whose value is the list size, first found wins. @default options.listSizeArguments */
  sizeArguments?: string[];
  /** Largest size a size argument of this field may ask for. @default options.maxListSize */
  maxListSize?: number;
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
  /** Largest size a size argument may ask for; a larger (or a negative) one is out of range (see `outOfRangeListSize`). @default 100000 */
  maxListSize?: number;
  /** A list field that takes a size argument must be given one (or have a schema default): "bounded" lists stay bounded. @default false */
  requireListSize?: boolean;
  /** Without a size argument, a list field's size is the length of its longest list-typed argument (`ids: [...]`). @default true */
  listArgumentsMultiply?: boolean;
  /**
   * A negative, oversized or (with `requireListSize`) missing size: `reject`
   * refuses it with BAD_USER_INPUT; `clamp` prices and sends the nearest size
   * in range instead (0, `maxListSize`, or the field's `listSize`/`defaultListSize`). @default 'reject'
   */
  outOfRangeListSize?: 'reject' | 'clamp';
}

/** Size arguments to send upstream in place of the client's, by field node: what `outOfRangeListSize: 'clamp'` changed. */
export type ListSizeClamps = ReadonlyMap<FieldNode, ReadonlyMap<string, ValueNode>>;

/** A price: the cost, and the size arguments clamped to reach it (none unless clamping). */
export interface QueryPrice {
  readonly cost: number;
  readonly clamps: ListSizeClamps;
}

export interface QueryCostInput {
  /** Operation to price when the document has several; without it the most expensive one is priced. */
  operationName?: string | null;
  /**
   * Stop as soon as the cost is known to pass this: the answer is then the
   * cost counted so far, a lower bound above it, not the full cost. @default Infinity
   */
  stopAbove?: number;
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
  maxListSize: number;
  requireListSize: boolean;
  listArgumentsMultiply: boolean;
  outOfRangeListSize: 'reject' | 'clamp';
}

/** One operation's pricing. Costs are memoised per (selection set, object type), so each fragment is priced once per type it lands on. */
interface Walk {
  readonly schema: GraphQLSchema;
  readonly options: ResolvedQueryCostOptions;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  readonly variables: Record<string, unknown>;
  readonly memo: Map<SelectionSetNode, Map<GraphQLObjectType, number>>;
  /** Fragments being priced on the current path: a cycle (a validation error) prices as free instead of looping. */
  readonly fragmentPath: Set<string>;
  readonly stopAbove: number;
  readonly clamps: Map<FieldNode, Map<string, ValueNode>>;
}

/**
 * Where a selection set sits: the whole operation costs at least
 * `floor + scale * (cost of this selection set)`, `scale` being the product of
 * the list sizes above it. That lower bound lets pricing stop at the limit.
 */
interface Position {
  readonly floor: number;
  readonly scale: number;
}

/** Thrown inside a walk when the lower bound passes `stopAbove`. */
class CostPassed {
  constructor(readonly cost: number) {}
}

function requireNonNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0)
    throw new TypeError(`query cost: ${name} must be a non-negative number, got ${value}`);
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
    maxListSize: options.maxListSize ?? 100_000,
    requireListSize: options.requireListSize ?? false,
    listArgumentsMultiply: options.listArgumentsMultiply ?? true,
    outOfRangeListSize: options.outOfRangeListSize ?? 'reject',
  };
  if (resolved.outOfRangeListSize !== 'reject' && resolved.outOfRangeListSize !== 'clamp') {
    throw new TypeError(
      `query cost: outOfRangeListSize must be reject or clamp, got ${JSON.stringify(resolved.outOfRangeListSize)}`,
    );
  }
  requireNonNegative('defaultFieldCost', resolved.defaultFieldCost);
  requireNonNegative('maxListSize', resolved.maxListSize);
  requireNonNegative('defaultListSize', resolved.defaultListSize);
  requireNonNegative('introspectionCost', resolved.introspectionCost);
  for (const [typeName, cost] of Object.entries(resolved.typeCosts)) requireNonNegative(`typeCosts.${typeName}`, cost);
  for (const [coordinate, override] of Object.entries(options.fieldCosts ?? {})) {
    if (!/^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*$/.test(coordinate)) {
      throw new TypeError(`query cost: fieldCosts key "${coordinate}" is not a Type.field coordinate`);
    }
    const normalized = typeof override === 'number' ? { cost: override } : { ...override };
    if (normalized.cost !== undefined) requireNonNegative(`fieldCosts["${coordinate}"].cost`, normalized.cost);
    if (normalized.listSize !== undefined)
      requireNonNegative(`fieldCosts["${coordinate}"].listSize`, normalized.listSize);
    if (normalized.maxListSize !== undefined)
      requireNonNegative(`fieldCosts["${coordinate}"].maxListSize`, normalized.maxListSize);
    resolved.fieldCosts[coordinate] = normalized;
  }
  return resolved;
}

/**
 * The cost of an operation, before it runs. Pure: same inputs, same number.
 *
 * A field costs its own cost (1 by default) plus, when it returns objects,
 * the cost of its selection times the list size for list fields: the value
 * of a size argument (`first`, `limit`, ...), else the length of its longest
 * list argument (`ids`), else its `listSize` or `defaultListSize`. Nested lists
 * multiply. A list of scalars costs as one field. On an interface or union the
 * most expensive possible type counts. Introspection is a flat
 * `introspectionCost`. `@skip`/`@include` with a known condition are honoured.
 * A negative or oversized size argument throws a BAD_USER_INPUT GraphQLError.
 * Time is linear in the document (times the object types a selection may
 * land on): each fragment is priced once per type, however often it is spread.
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
  return priceDocument(schema, document, variables ?? {}, resolveQueryCostOptions(options), input).cost;
}

type Pricing<Result> = (
  schema: GraphQLSchema,
  document: DocumentNode,
  variables?: Record<string, unknown> | null,
  input?: QueryCostInput,
) => Result;

/** The type of a calculator built by {@link createQueryCostCalculator}: the cost, or with `price` the clamps too. */
export interface QueryCostCalculator extends Pricing<number> {
  readonly price: Pricing<QueryPrice>;
  /** Equal for calculators with equal options: they may share a price (see priceOncePerRequest). */
  readonly optionsKey: string;
}

/** Checks and resolves the options once (throwing a TypeError at start-up) and returns {@link computeQueryCost} bound to them. */
export function createQueryCostCalculator(options: QueryCostOptions = {}): QueryCostCalculator {
  const resolved = resolveQueryCostOptions(options);
  const price: Pricing<QueryPrice> = (schema, document, variables, input = {}) =>
    priceDocument(schema, document, variables ?? {}, resolved, input);
  const calculate: Pricing<number> = (...args) => price(...args).cost;
  return Object.assign(calculate, { price, optionsKey: JSON.stringify(resolved) });
}

function priceDocument(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  resolved: ResolvedQueryCostOptions,
  input: QueryCostInput,
): QueryPrice {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
  }
  const chosen = input.operationName
    ? operations.filter((operation) => operation.name?.value === input.operationName)
    : operations;
  const stopAbove = input.stopAbove ?? Number.POSITIVE_INFINITY;
  const clamps = new Map<FieldNode, Map<string, ValueNode>>();
  let highest = 0;
  for (const operation of chosen) {
    const rootType = schema.getRootType(operation.operation);
    if (!rootType) continue;
    const walk: Walk = {
      schema,
      options: resolved,
      fragments,
      variables: withVariableDefaults(operation, variables),
      memo: new Map(),
      fragmentPath: new Set(),
      stopAbove,
      clamps,
    };
    try {
      highest = Math.max(
        highest,
        concreteSelectionCost(walk, operation.selectionSet, rootType, { floor: 0, scale: 1 }),
      );
    } catch (error) {
      if (error instanceof CostPassed) return { cost: error.cost, clamps };
      throw error;
    }
  }
  return { cost: highest, clamps };
}

function withVariableDefaults(
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...variables };
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (merged[name] === undefined && definition.defaultValue)
      merged[name] = valueFromASTUntyped(definition.defaultValue);
  }
  return merged;
}

/** On an abstract type, the most expensive possible object type counts. */
function selectionSetCost(
  walk: Walk,
  selectionSet: SelectionSetNode,
  parentType: GraphQLCompositeType,
  at: Position,
): number {
  if (!isAbstractType(parentType)) return concreteSelectionCost(walk, selectionSet, parentType, at);
  let highest = 0;
  for (const possibleType of walk.schema.getPossibleTypes(parentType)) {
    highest = Math.max(highest, concreteSelectionCost(walk, selectionSet, possibleType, at));
  }
  return highest;
}

function concreteSelectionCost(
  walk: Walk,
  selectionSet: SelectionSetNode,
  objectType: GraphQLObjectType,
  at: Position,
): number {
  const known = walk.memo.get(selectionSet)?.get(objectType);
  if (known !== undefined) return known;
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (!isIncluded(walk, selection.directives)) continue;
    const here = { floor: at.floor + at.scale * total, scale: at.scale };
    if (selection.kind === Kind.FIELD) {
      total += fieldCost(walk, selection, objectType, here);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition?.name.value;
      if (condition === undefined || appliesTo(walk.schema, condition, objectType)) {
        total += concreteSelectionCost(walk, selection.selectionSet, objectType, here);
      }
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments.get(name);
      if (
        !fragment ||
        walk.fragmentPath.has(name) ||
        !appliesTo(walk.schema, fragment.typeCondition.name.value, objectType)
      )
        continue;
      walk.fragmentPath.add(name);
      total += concreteSelectionCost(walk, fragment.selectionSet, objectType, here);
      walk.fragmentPath.delete(name);
    }
    const atLeast = at.floor + at.scale * total;
    if (atLeast > walk.stopAbove) throw new CostPassed(atLeast);
  }
  let byType = walk.memo.get(selectionSet);
  if (!byType) walk.memo.set(selectionSet, (byType = new Map()));
  byType.set(objectType, total);
  return total;
}

function appliesTo(schema: GraphQLSchema, condition: string, objectType: GraphQLObjectType): boolean {
  if (condition === objectType.name) return true;
  const conditionType = schema.getType(condition);
  return conditionType !== undefined && isAbstractType(conditionType) && schema.isSubType(conditionType, objectType);
}

function fieldCost(walk: Walk, node: FieldNode, parentType: GraphQLObjectType, at: Position): number {
  const name = node.name.value;
  if (name === '__typename') return 0;
  if (name === '__schema' || name === '__type') return walk.options.introspectionCost;
  const field = parentType.getFields()[name];
  const override = walk.options.fieldCosts[`${parentType.name}.${name}`];
  if (!field) return override?.cost ?? walk.options.defaultFieldCost;
  const namedType = getNamedType(field.type);
  const ownCost = override?.cost ?? walk.options.typeCosts[namedType.name] ?? walk.options.defaultFieldCost;
  const multiplier = listMultiplier(walk, node, field, parentType, override);
  if (!node.selectionSet || !isCompositeType(namedType)) return ownCost;
  const childCost = selectionSetCost(walk, node.selectionSet, namedType, {
    floor: at.floor + at.scale * ownCost,
    scale: at.scale * multiplier,
  });
  return ownCost + multiplier * childCost;
}

/** Product of the sizes of every list level: `[[Item]]` with size 10 is 100 items. Sizes are checked even on lists of scalars. */
function listMultiplier(
  walk: Walk,
  node: FieldNode,
  field: GraphQLField<unknown, unknown>,
  parentType: GraphQLObjectType,
  override: FieldCostOverride | undefined,
): number {
  let depth = 0;
  for (let type = getNullableType(field.type); isListType(type); type = getNullableType(type.ofType)) depth += 1;
  if (depth === 0) return 1;
  const rules: ListSizeRules = {
    sizeArguments: override?.sizeArguments ?? walk.options.listSizeArguments,
    maxListSize: override?.maxListSize ?? walk.options.maxListSize,
    requireListSize: walk.options.requireListSize,
    listArgumentsMultiply: walk.options.listArgumentsMultiply,
    outOfRange: walk.options.outOfRangeListSize,
    fallbackSize: override?.listSize ?? walk.options.defaultListSize,
  };
  const onClamp = (argument: string, value: ValueNode) => {
    let byArgument = walk.clamps.get(node);
    if (!byArgument) walk.clamps.set(node, (byArgument = new Map()));
    byArgument.set(argument, value);
  };
  const size =
    requestedListSize(node, field, parentType.name, walk.variables, rules, onClamp) ??
    override?.listSize ??
    walk.options.defaultListSize;
  return size ** depth;
}

function isIncluded(walk: Walk, directives: FieldNode['directives']): boolean {
  for (const directive of directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const argument = directive.arguments?.find((arg) => arg.name.value === 'if');
    if (!argument) continue;
    const condition =
      argument.value.kind === Kind.BOOLEAN ? argument.value.value : readValue(argument.value, walk.variables);
    // An unknown condition counts the selection: the estimate errs high.
    if (typeof condition !== 'boolean') continue;
    if (name === 'skip' && condition) return false;
    if (name === 'include' && !condition) return false;
  }
  return true;
}
