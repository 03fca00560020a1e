import { requireDefault } from '../config/load-config';
import { ConfigError } from '../errors';
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
  const policies = (definition as BffDefinition).policies;
  if (policies !== undefined && !Array.isArray(policies)) throw new ConfigError(`bff "${name}": policies must be a list`);
  return definition as BffDefinition;
}
