import type { SubscriptionLimitOptions } from '../plugins/rate-limit/use-subscription-limit';
import type { BffPolicy, BffViewOptions } from './bff-view-options';
import type { BffVersionOptions, BffVersioningOptions } from './versions/version-options';

export type { BffPolicy, BffViewOptions };

export interface BffDefinition {
  /** The client's view of the graph. @default the whole graph */
  view?: BffViewOptions;
  /** Whether introspection queries are allowed. @default true outside production */
  introspection?: boolean;
  /** Whether GraphiQL answers a browser GET. @default same as introspection */
  graphiql?: boolean;
  /** Policies in the order they run. */
  policies?: BffPolicy[];
  /** Open subscriptions per client (useSubscriptionLimit), on every BFF. @default { maxPerClient: 10 } */
  subscriptions?: SubscriptionLimitOptions;
  /** Human description shown on the portal. */
  description?: string;
  /**
   * Named, frozen contracts served side by side at `/<bff>/<version>/graphql`
   * (README "Versioning a BFF"); `/<bff>/graphql` serves `currentVersion`.
   * Each version has its own view, policies and snapshot, or inherits the
   * BFF's. @default unversioned
   */
  versions?: Record<string, BffVersionOptions>;
  /** The version `/<bff>/graphql` serves. Required with `versions`. */
  currentVersion?: string;
  /** Header and client routing to versions, client headers for metrics. */
  versioning?: BffVersioningOptions;
}

/** Types a BFF file: `export default defineBff({...})`. */
export function defineBff(definition: BffDefinition): BffDefinition {
  return definition;
}
