import { requireDefault } from '../core/require-default';
import { ConfigError } from '../core/errors';
import { describeLoadFailure, shownPath } from '../core/describe-load-failure';
import { formatConfigIssues, PARSE_OPTIONS } from '../core/format-config-issues';
import { bffDefinitionSchema, type BffDefinition } from './define-bff';
import { parseVersioning } from './versions/parse-versioning';

/**
 * Loads a BFF file (TypeScript through tsx/jest) and checks it against the
 * BFF schema: every fault at once, one line each, `<file>: bff "web": <path> <fault>`.
 */
export function loadBffDefinition(name: string, file: string): BffDefinition {
  const shown = shownPath(file);
  const where = `${shown}: bff "${name}"`;
  let definition: unknown;
  try {
    definition = requireDefault(file);
  } catch (error) {
    throw new ConfigError(describeLoadFailure(shown, file, process.cwd(), error));
  }
  if (!definition || typeof definition !== 'object' || Array.isArray(definition)) {
    throw new ConfigError(`${where}: must export a BFF definition (use defineBff)`);
  }
  const result = bffDefinitionSchema.safeParse(definition, PARSE_OPTIONS);
  const problems = result.success ? [] : formatConfigIssues(result.error.issues, { input: definition });
  const { introspection, graphiql } = definition as BffDefinition;
  // GraphiQL builds its explorer from introspection; without it the page is an empty editor.
  if (graphiql === true && introspection === false) problems.push('graphiql needs introspection');
  // What the shape cannot say about versions (dates, names, references between them), once the shape holds.
  if (result.success) {
    try {
      parseVersioning(name, definition as BffDefinition);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message.replace(`bff "${name}": `, ''));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.map((problem) => `${where}: ${problem}`).join('\n'));
  return definition as BffDefinition;
}
