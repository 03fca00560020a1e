import { defaultFieldResolver, type GraphQLFieldConfig, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { settingsOf, type ArgumentSettings } from './argument-settings';

function withFixedArguments(
  resolver: GraphQLFieldResolver<unknown, unknown> | undefined,
  fixed: Record<string, unknown>,
): GraphQLFieldResolver<unknown, unknown> | undefined {
  if (!resolver) return undefined;
  // Stitching's proxying resolvers send `args` upstream, so adding the fixed
  // values here is all a hidden root argument costs per request.
  return (source, args, context, info) => resolver(source, { ...args, ...fixed }, context, info);
}

/**
 * Hides root-field arguments behind fixed values and changes visible defaults,
 * without a wrapping layer. Settings on fields the view hides are ignored.
 */
export function applyRootArguments(view: GraphQLSchema, { hidden, defaults }: ArgumentSettings): GraphQLSchema {
  if (!hidden.length && !defaults.length) return view;
  return mapSchema(view, {
    [MapperKind.ROOT_FIELD]: (fieldConfig: GraphQLFieldConfig<unknown, unknown>, fieldName, typeName) => {
      const fixed = Object.fromEntries(
        [...settingsOf(hidden, typeName, fieldName)].map(([argumentName, setting]) => [argumentName, setting.value]),
      );
      const changedDefaults = settingsOf(defaults, typeName, fieldName);
      if (!Object.keys(fixed).length && !changedDefaults.size) return fieldConfig;
      const args = Object.fromEntries(
        Object.entries(fieldConfig.args ?? {})
          .filter(([argumentName]) => !(argumentName in fixed))
          .map(([argumentName, argument]) => {
            const setting = changedDefaults.get(argumentName);
            return [argumentName, setting ? { ...argument, defaultValue: setting.value } : argument];
          }),
      );
      if (!Object.keys(fixed).length) return { ...fieldConfig, args };
      return {
        ...fieldConfig,
        args,
        resolve: withFixedArguments(
          fieldConfig.resolve ?? (fieldConfig.subscribe ? undefined : defaultFieldResolver),
          fixed,
        ),
        subscribe: withFixedArguments(fieldConfig.subscribe, fixed),
      };
    },
  });
}
