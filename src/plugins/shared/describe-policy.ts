import type { Plugin } from 'graphql-yoga';

/** The mark a policy carries: its factory's name and the options it was built with. */
export interface PolicyMark {
  policy: string;
  options: unknown;
}

export const POLICY_MARK = Symbol.for('loom.policyDescription');

type Marked = Plugin & { [POLICY_MARK]?: PolicyMark };

/**
 * Attaches what a policy was built with to the plugin its factory returns,
 * for the developer portal (policy-description.ts reads it back, typed).
 * Kept apart from those types so that the plugins importing this file import
 * none of each other's.
 */
export function describePolicy<T extends Plugin>(plugin: T, mark: PolicyMark): T {
  (plugin as Marked)[POLICY_MARK] = mark;
  return plugin;
}

/** The marks of the plugins that carry one, in order. */
export function findPolicyMarks(plugins: readonly Plugin[]): PolicyMark[] {
  return plugins.flatMap((plugin) => (plugin as Marked)[POLICY_MARK] ?? []);
}
