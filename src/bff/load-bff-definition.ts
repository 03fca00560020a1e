import { requireDefault } from '../core/require-default';
import { ConfigError } from '../core/errors';
import type { BffDefinition } from './define-bff';

/** Loads a BFF file (TypeScript through tsx/jest) and checks its shape. */
export function loadBffDefinition(name: string, file: string): BffDefinition {
  let definition: unknown;
  try {
    definition = requireDefault(file);
  } catch (error) {
    throw new ConfigError(`bff "${name}": cannot load ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!definition || typeof definition !== 'object') {
    throw new ConfigError(`bff "${name}": ${file} must export a BFF definition (use defineBff)`);
  }
  const { policies, view, introspection, graphiql, subscriptions, batching } = definition as BffDefinition;
  if (policies !== undefined && !Array.isArray(policies))
    throw new ConfigError(`bff "${name}": policies must be a list`);
  for (const [option, value] of [
    ['view', view],
    ['subscriptions', subscriptions],
  ] as const) {
    if (value !== undefined && (!value || typeof value !== 'object' || Array.isArray(value)))
      throw new ConfigError(`bff "${name}": ${option} must be an object`);
  }
  for (const [option, value] of [
    ['introspection', introspection],
    ['graphiql', graphiql],
  ] as const) {
    if (value !== undefined && typeof value !== 'boolean')
      throw new ConfigError(`bff "${name}": ${option} must be true or false`);
  }
  if (
    batching !== undefined &&
    (!batching ||
      typeof batching !== 'object' ||
      !Number.isSafeInteger(batching.maxOperations) ||
      batching.maxOperations < 1 ||
      Object.keys(batching).some((key) => key !== 'maxOperations'))
  )
    throw new ConfigError(`bff "${name}": batching must be { maxOperations: <positive integer> }`);
  // GraphiQL builds its explorer from introspection; without it the page is an empty editor.
  if (graphiql === true && introspection === false)
    throw new ConfigError(`bff "${name}": graphiql needs introspection`);
  return definition as BffDefinition;
}
