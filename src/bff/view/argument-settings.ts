import { astFromValue, coerceInputValue, isObjectType, type GraphQLSchema, type ValueNode } from 'graphql';
import { getRootTypeNames } from '@graphql-tools/utils';
import { ConfigError } from '../../core/errors';
import type { BffViewOptions } from '../define-bff';

/** One `Type.field.argument` setting of a view, checked and converted once at start-up. */
export interface ArgumentSetting {
  readonly typeName: string;
  readonly fieldName: string;
  readonly argumentName: string;
  /** The value as resolvers see it (coerced through the argument's type). */
  readonly value: unknown;
  /** The same value as a literal, for requests rewritten on their way upstream. */
  readonly valueNode: ValueNode;
}

export interface ArgumentSettings {
  /** Arguments hidden and fixed. */
  readonly hidden: readonly ArgumentSetting[];
  /** Arguments kept with a new default. */
  readonly defaults: readonly ArgumentSetting[];
}

/** Root-field settings cost nothing per request; the others need the wrapping layer. */
export interface SplitArgumentSettings {
  readonly root: ArgumentSettings;
  readonly nested: ArgumentSettings;
}

function parseSettings(
  bffName: string,
  option: string,
  settings: Record<string, unknown> | undefined,
  gateway: GraphQLSchema,
): ArgumentSetting[] {
  return Object.entries(settings ?? {}).map(([coordinate, rawValue]) => {
    const parts = coordinate.split('.');
    const where = `bff "${bffName}": view.${option} "${coordinate}"`;
    if (parts.length !== 3) throw new ConfigError(`${where}: expected Type.field.argument`);
    const [typeName, fieldName, argumentName] = parts;
    const type = gateway.getType(typeName);
    if (type && !isObjectType(type)) throw new ConfigError(`${where}: ${typeName} is not an object type`);
    const argument = type?.getFields()[fieldName]?.args.find((arg) => arg.name === argumentName);
    if (!argument) throw new ConfigError(`${where}: the gateway schema has no such argument`);
    let value: unknown;
    try {
      value = coerceInputValue(rawValue, argument.type);
    } catch (error) {
      throw new ConfigError(`${where}: ${(error as Error).message}`);
    }
    const valueNode = astFromValue(value, argument.type);
    if (!valueNode) throw new ConfigError(`${where}: the value cannot be sent as a literal`);
    return { typeName, fieldName, argumentName, value, valueNode };
  });
}

/**
 * Reads `hiddenArguments` and `argumentDefaults` against the gateway schema:
 * a typo or a value of the wrong type fails start-up with the coordinate.
 */
export function parseArgumentSettings(
  bffName: string,
  view: Pick<BffViewOptions, 'hiddenArguments' | 'argumentDefaults'>,
  gateway: GraphQLSchema,
): SplitArgumentSettings {
  const hidden = parseSettings(bffName, 'hiddenArguments', view.hiddenArguments, gateway);
  const defaults = parseSettings(bffName, 'argumentDefaults', view.argumentDefaults, gateway);
  const rootTypeNames = getRootTypeNames(gateway);
  const isRoot = (setting: ArgumentSetting) => rootTypeNames.has(setting.typeName);
  return {
    root: { hidden: hidden.filter(isRoot), defaults: defaults.filter(isRoot) },
    nested: {
      hidden: hidden.filter((setting) => !isRoot(setting)),
      defaults: defaults.filter((setting) => !isRoot(setting)),
    },
  };
}

/** The settings of one field, as `{ argumentName: setting }`. */
export function settingsOf(
  settings: readonly ArgumentSetting[],
  typeName: string,
  fieldName: string,
): Map<string, ArgumentSetting> {
  return new Map(
    settings
      .filter((setting) => setting.typeName === typeName && setting.fieldName === fieldName)
      .map((setting) => [setting.argumentName, setting]),
  );
}
