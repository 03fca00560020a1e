import { validateSchema, type GraphQLSchema } from 'graphql';
import { pruneSchema } from '@graphql-tools/utils';
import { ConfigError } from '../core/errors';
import { filterView } from './view/filter-view';
import { parseArgumentSettings } from './view/argument-settings';
import { applyRootArguments } from './view/root-arguments';
import { guardAbstractTypes } from './view/guard-abstract-types';
import { wrapView } from './view/wrap-view';
import type { BffViewOptions } from './define-bff';

function requirePatternList(bffName: string, option: string, value: unknown) {
  if (
    value !== undefined &&
    !(Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== ''))
  ) {
    throw new ConfigError(`bff "${bffName}": view.${option} must be a list of glob patterns`);
  }
}

/**
 * The BFF's view of the gateway schema, built once at start-up:
 * filter (include/exclude, bounded lists) -> root-field hidden arguments and
 * defaults -> prune unreachable types -> guard abstract types -> wrap for
 * renames and arguments below the root. Everything before the wrap rewrites
 * the schema and keeps the gateway's resolvers, so it costs nothing per request.
 */
export function createBffView(
  gatewaySchema: GraphQLSchema,
  view: BffViewOptions = {},
  bffName = 'view',
): GraphQLSchema {
  requirePatternList(bffName, 'include', view.include);
  requirePatternList(bffName, 'exclude', view.exclude);
  requirePatternList(bffName, 'listBoundArguments', view.listBoundArguments);
  if (view.allowList !== undefined && typeof view.allowList !== 'boolean')
    throw new ConfigError(`bff "${bffName}": view.allowList must be true or false`);
  if (view.allowList && !view.include?.length)
    throw new ConfigError(`bff "${bffName}": view.allowList needs view.include, the list of what the view serves`);
  const isWholeGraph = !view.include?.length && !view.exclude?.length && !view.listBoundArguments?.length;
  let schema = isWholeGraph ? gatewaySchema : filterView(gatewaySchema, view);
  const argumentSettings = parseArgumentSettings(bffName, view, gatewaySchema);
  schema = applyRootArguments(schema, argumentSettings.root);
  if (schema !== gatewaySchema) {
    schema = guardAbstractTypes(pruneSchema(schema));
    if (!schema.getQueryType()) throw new ConfigError(`bff "${bffName}": the view hides every Query field`);
  }
  schema = wrapView(bffName, schema, { renames: view.renames ?? {}, nestedArguments: argumentSettings.nested });
  const errors = validateSchema(schema);
  if (errors.length)
    throw new ConfigError(
      `bff "${bffName}": the view is not a valid schema: ${errors.map((error) => error.message).join('; ')}`,
    );
  return schema;
}
