import type { Plugin } from 'graphql-yoga';
import type { AuthOptions } from '../auth/use-auth';
import type { QueryLimitsOptions } from '../limits/use-query-limits';
import type { CostLimitOptions } from '../use-cost-limit';
import type { RateLimitOptions } from '../rate-limit/use-rate-limit';
import type { ResponseCacheOptions } from '../cache/use-response-cache';
import type { HttpHardeningOptions } from '../http/use-http-hardening';
import type { PersistedManifest } from '../persisted/load-persisted-manifest';

/** The persisted operations a BFF serves, known once the plugin has read its manifest (at start-up). */
export interface PersistedOperationsDescription {
  persistedOnly: boolean;
  /** Operation id -> document text; undefined until the app has started. */
  manifest(): PersistedManifest | undefined;
}

/**
 * What a policy was built with, for the developer portal to put in words. The
 * options are the factory's own, so the portal shows what runs, not a copy
 * that could drift from it.
 */
export type PolicyDescription =
  | { policy: 'useAuth'; options: AuthOptions }
  | { policy: 'useQueryLimits'; options: QueryLimitsOptions }
  | { policy: 'useCostLimit'; options: CostLimitOptions }
  | { policy: 'useRateLimit'; options: RateLimitOptions }
  | { policy: 'useResponseCache'; options: ResponseCacheOptions }
  | { policy: 'useHttpHardening'; options: HttpHardeningOptions }
  | { policy: 'usePersistedOperations'; options: PersistedOperationsDescription };

const DESCRIPTION = Symbol.for('loom.policyDescription');

type Described = Plugin & { [DESCRIPTION]?: PolicyDescription };

/** Attaches `description` to a policy's plugin (the object its factory returns); returns the plugin. */
export function describePolicy<T extends Plugin>(plugin: T, description: PolicyDescription): T {
  (plugin as Described)[DESCRIPTION] = description;
  return plugin;
}

/** The descriptions of the plugins that carry one, in order. */
export function findPolicyDescriptions(plugins: readonly Plugin[]): PolicyDescription[] {
  return plugins.flatMap((plugin) => (plugin as Described)[DESCRIPTION] ?? []);
}
