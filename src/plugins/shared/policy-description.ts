import type { Plugin } from 'graphql-yoga';
import type { AuthOptions } from '../auth/use-auth';
import type { QueryLimitsOptions } from '../limits/use-query-limits';
import type { CostLimitOptions } from '../use-cost-limit';
import type { RateLimitOptions } from '../rate-limit/use-rate-limit';
import type { ResponseCacheOptions } from '../cache/use-response-cache';
import type { HttpHardeningOptions } from '../http/use-http-hardening';
import type { PersistedManifest } from '../persisted/load-persisted-manifest';
import { findPolicyMarks } from './describe-policy';

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

/**
 * The descriptions of the plugins that carry one, in order. Each policy
 * factory marks its plugin with its own name and options (describePolicy), so
 * the name says which options type the mark holds.
 */
export function findPolicyDescriptions(plugins: readonly Plugin[]): PolicyDescription[] {
  return findPolicyMarks(plugins) as PolicyDescription[];
}
