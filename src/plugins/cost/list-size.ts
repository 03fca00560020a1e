import {
  astFromValue,
  getNullableType,
  isListType,
  Kind,
  type FieldNode,
  type GraphQLArgument,
  type GraphQLField,
  type ValueNode,
} from 'graphql';
import { badUserInput } from '../../core/errors';

/** How one list field's size is read; built from the cost options and the field's override. */
export interface ListSizeRules {
  /** Arguments whose value is the list size, first found wins. */
  readonly sizeArguments: readonly string[];
  /** Largest size a size argument may ask for. */
  readonly maxListSize: number;
  /** A field with a size argument must get a value for it (from the query, a variable or the schema default). */
  readonly requireListSize: boolean;
  /** List-typed arguments (`ids: [...]`) set the size by their length when no size argument does. */
  readonly listArgumentsMultiply: boolean;
  /** Refuse a size out of range (BAD_USER_INPUT), or clamp it into range and report the value to send instead. */
  readonly outOfRange: 'reject' | 'clamp';
  /** Size a missing required bound is clamped to. */
  readonly fallbackSize: number;
}

/** Called when a size is clamped: the argument and the literal to send upstream in its place. */
export type OnClamp = (argument: string, value: ValueNode) => void;

/** A size out of range: refused, or clamped into [0, maxListSize] and reported. */
function outOfRange(
  message: string,
  where: string,
  clamped: number,
  argument: GraphQLArgument,
  rules: ListSizeRules,
  onClamp: OnClamp,
): number {
  const literal = rules.outOfRange === 'clamp' ? astFromValue(clamped, argument.type) : null;
  if (!literal) throw badUserInput(message, { argument: where });
  onClamp(argument.name, literal);
  return clamped;
}

export function readValue(node: ValueNode, variables: Record<string, unknown>): unknown {
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  if (node.kind === Kind.INT || node.kind === Kind.FLOAT) return Number(node.value);
  if (node.kind === Kind.STRING) return node.value;
  if (node.kind === Kind.NULL) return null;
  return undefined;
}

const coordinate = (parentTypeName: string, field: GraphQLField<unknown, unknown>, argument: string) =>
  `${parentTypeName}.${field.name}(${argument}:)`;

/**
 * The size a size argument asks for, or undefined when it sets none. A size
 * the backend would misread is refused, never priced low: a negative `limit`
 * prices as nothing yet many backends then return everything.
 */
function checkedSize(
  value: unknown,
  where: string,
  argument: GraphQLArgument,
  rules: ListSizeRules,
  onClamp: OnClamp,
): number | undefined {
  const size = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof size !== 'number' || Number.isNaN(size)) return undefined;
  if (size < 0)
    return outOfRange(
      `${where} must be a non-negative list size, got ${JSON.stringify(value)}`,
      where,
      0,
      argument,
      rules,
      onClamp,
    );
  if (size > rules.maxListSize) {
    return outOfRange(
      `${where} asks for ${size} items; the most allowed is ${rules.maxListSize}`,
      where,
      rules.maxListSize,
      argument,
      rules,
      onClamp,
    );
  }
  return Math.ceil(size);
}

/** Length of the longest list-typed argument (`ids: ["1", "2"]`), or undefined when none is given. */
function listArgumentLength(
  node: FieldNode,
  field: GraphQLField<unknown, unknown>,
  variables: Record<string, unknown>,
): number | undefined {
  let longest: number | undefined;
  for (const argument of field.args) {
    if (!isListType(getNullableType(argument.type))) continue;
    const argumentNode = node.arguments?.find((arg) => arg.name.value === argument.name);
    if (!argumentNode) continue;
    const { value } = argumentNode;
    let length: number | undefined;
    if (value.kind === Kind.LIST) length = value.values.length;
    else if (value.kind === Kind.VARIABLE) {
      const given = variables[value.name.value];
      // A single value for a list type is coerced to a list of one.
      length = Array.isArray(given) ? given.length : given === undefined || given === null ? undefined : 1;
    } else if (value.kind !== Kind.NULL) length = 1;
    if (length !== undefined) longest = Math.max(longest ?? 0, length);
  }
  return longest;
}

function sizeArgumentValue(node: FieldNode, argument: GraphQLArgument, variables: Record<string, unknown>): unknown {
  const argumentNode = node.arguments?.find((arg) => arg.name.value === argument.name);
  if (!argumentNode) return argument.defaultValue;
  const value = readValue(argumentNode.value, variables);
  // An unset variable means the argument was left out: the schema default applies.
  return value === undefined && argumentNode.value.kind === Kind.VARIABLE ? argument.defaultValue : value;
}

/**
 * The list size a query asks of a list field: its size argument, else the
 * length of its list arguments, else undefined (the caller's default).
 */
export function requestedListSize(
  node: FieldNode,
  field: GraphQLField<unknown, unknown>,
  parentTypeName: string,
  variables: Record<string, unknown>,
  rules: ListSizeRules,
  onClamp: OnClamp,
): number | undefined {
  let unset: { where: string; argument: GraphQLArgument } | undefined;
  for (const name of rules.sizeArguments) {
    const argument = field.args.find((arg) => arg.name === name);
    if (!argument) continue;
    const where = coordinate(parentTypeName, field, name);
    const size = checkedSize(sizeArgumentValue(node, argument, variables), where, argument, rules, onClamp);
    if (size !== undefined) return size;
    unset ??= { where, argument };
  }
  // A bound the client may leave out (or set to null) is no bound: the backend then sends its whole list.
  if (unset !== undefined && rules.requireListSize) {
    const fallback = Math.min(rules.fallbackSize, rules.maxListSize);
    return outOfRange(
      `${unset.where} is required: this list is bounded`,
      unset.where,
      fallback,
      unset.argument,
      rules,
      onClamp,
    );
  }
  return rules.listArgumentsMultiply ? listArgumentLength(node, field, variables) : undefined;
}
