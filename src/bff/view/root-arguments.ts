import { coerceInputValue, defaultFieldResolver, isObjectType, type GraphQLFieldConfig, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { MapperKind, getRootTypeNames, mapSchema } from '@graphql-tools/utils';
import { ConfigError } from '../../errors';

export interface RootArgumentOptions {
  /** `Type.field.argument` -> value always sent, argument removed from the view. */
  hiddenArguments?: Record<string, unknown>;
  /** `Type.field.argument` -> new default, argument kept. */
  argumentDefaults?: Record<string, unknown>;
}

interface ArgumentSetting {
  fieldCoordinate: string;
  argumentName: string;
  value: unknown;
}

function parseSettings(bffName: string, option: string, settings: Record<string, unknown> | undefined, gateway: GraphQLSchema): ArgumentSetting[] {
  const rootTypeNames = getRootTypeNames(gateway);
  return Object.entries(settings ?? {}).map(([coordinate, value]) => {
    const parts = coordinate.split('.');
    const where = `bff "${bffName}": view.${option} "${coordinate}"`;
    if (parts.length !== 3) throw new ConfigError(`${where}: expected Type.field.argument`);
    const [typeName, fieldName, argumentName] = parts;
    if (!rootTypeNames.has(typeName)) throw new ConfigError(`${where}: only root fields (${[...rootTypeNames].join(', ')}) take view arguments`);
    const rootType = gateway.getType(typeName);
    const rootField = isObjectType(rootType) ? rootType.getFields()[fieldName] : undefined;
    const argument = rootField?.args.find((arg) => arg.name === argumentName);
    if (!argument) throw new ConfigError(`${where}: the gateway schema has no such argument`);
    try {
      return { fieldCoordinate: `${typeName}.${fieldName}`, argumentName, value: coerceInputValue(value, argument.type) };
    } catch (error) {
      throw new ConfigError(`${where}: ${(error as Error).message}`);
    }
  });
}

function withFixedArguments(
  resolver: GraphQLFieldResolver<unknown, unknown> | undefined,
  fixed: Record<string, unknown>,
): GraphQLFieldResolver<unknown, unknown> | undefined {
  if (!resolver) return undefined;
  // Stitching's proxying resolvers send `args` upstream, so adding the fixed
  // values here is all a hidden argument costs per request.
  return (source, args, context, info) => resolver(source, { ...args, ...fixed }, context, info);
}

/**
 * Hides root-field arguments behind fixed values and changes visible defaults,
 * without a wrapping layer. Coordinates are checked against the gateway schema
 * (a typo fails start-up); settings on fields the view hides are ignored.
 */
export function applyRootArguments(bffName: string, gateway: GraphQLSchema, view: GraphQLSchema, options: RootArgumentOptions): GraphQLSchema {
  const hidden = parseSettings(bffName, 'hiddenArguments', options.hiddenArguments, gateway);
  const defaults = parseSettings(bffName, 'argumentDefaults', options.argumentDefaults, gateway);
  if (!hidden.length && !defaults.length) return view;
  return mapSchema(view, {
    [MapperKind.ROOT_FIELD]: (fieldConfig: GraphQLFieldConfig<unknown, unknown>, fieldName, typeName) => {
      const coordinate = `${typeName}.${fieldName}`;
      const fixed = Object.fromEntries(hidden.filter((setting) => setting.fieldCoordinate === coordinate).map((setting) => [setting.argumentName, setting.value]));
      const changedDefaults = defaults.filter((setting) => setting.fieldCoordinate === coordinate);
      if (!Object.keys(fixed).length && !changedDefaults.length) return fieldConfig;
      const args = Object.fromEntries(
        Object.entries(fieldConfig.args ?? {})
          .filter(([argumentName]) => !(argumentName in fixed))
          .map(([argumentName, argument]) => {
            const setting = changedDefaults.find((candidate) => candidate.argumentName === argumentName);
            return [argumentName, setting ? { ...argument, defaultValue: setting.value } : argument];
          }),
      );
      if (!Object.keys(fixed).length) return { ...fieldConfig, args };
      return {
        ...fieldConfig,
        args,
        resolve: withFixedArguments(fieldConfig.resolve ?? (fieldConfig.subscribe ? undefined : defaultFieldResolver), fixed),
        subscribe: withFixedArguments(fieldConfig.subscribe, fixed),
      };
    },
  });
}
