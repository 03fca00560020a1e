import { z } from 'zod';
import { flag, positiveInteger, strictObject } from '../core/options-schema';
import { subscriptionLimitOptionsSchema } from '../plugins/rate-limit/use-subscription-limit';
import { bffPolicySchema, bffViewOptionsSchema, type BffPolicy, type BffViewOptions } from './bff-view-options';
import { bffVersionOptionsSchema, bffVersioningOptionsSchema } from './versions/version-options';
import { webSocketOptionsSchema } from './websocket/websocket-options';

export { bffViewOptionsSchema };
export type { BffPolicy, BffViewOptions };

export const bffDefinitionSchema = strictObject({
  /** The client's view of the graph. @default the whole graph */
  view: bffViewOptionsSchema.optional(),
  /** Whether introspection queries are allowed. @default true outside production */
  introspection: flag().optional(),
  /** Whether GraphiQL answers a browser GET. @default same as introspection */
  graphiql: flag().optional(),
  /** Policies in the order they run. */
  policies: z.array(bffPolicySchema, { error: 'must be a list' }).optional(),
  /** Open subscriptions per client (useSubscriptionLimit), on every BFF. @default { maxPerClient: 10 } */
  subscriptions: subscriptionLimitOptionsSchema.optional(),
  /**
   * GraphQL over WebSocket (graphql-ws) on the BFF's endpoint, beside SSE:
   * caps and keep-alive; `false` turns it off. Every operation meets the same
   * policies as over HTTP. @default on, with the defaults of WebSocketOptions
   */
  websocket: z.union([z.literal(false), webSocketOptionsSchema], { error: 'must be an object or false' }).optional(),
  /**
   * Batched requests (JSON arrays of operations): off unless set. Each
   * operation is validated, priced, rate-limited and authorized on its own.
   * @default off (an array is refused with BATCH_LIMIT_EXCEEDED)
   */
  batching: strictObject({ maxOperations: positiveInteger() }).optional(),
  /**
   * `@defer` and `@stream` (incremental delivery over multipart HTTP and SSE;
   * README "@defer and @stream"). Every policy sees the whole operation: the
   * cost limit and rate limit price deferred fields, the response cache
   * stores an answer only once every part has arrived. Off: the directives
   * are unknown (400). @default false
   */
  deferStream: flag().optional(),
  /** Human description shown on the portal. */
  description: z.string().optional(),
  /**
   * The query GraphiQL opens with and the portal links to; it must fit the
   * BFF's schema (checked at start-up). @default one built from the schema's
   * first root query field that needs no argument
   */
  exampleQuery: z.string().optional(),
  /**
   * Named, frozen contracts served side by side at `/<bff>/<version>/graphql`
   * (README "Versioning a BFF"); `/<bff>/graphql` serves `currentVersion`.
   * Each version has its own view, policies and snapshot, or inherits the
   * BFF's. Names, dates and cross-references are checked by parseVersioning.
   * @default unversioned
   */
  versions: z
    .record(z.string(), bffVersionOptionsSchema, { error: 'must be an object of version name: version' })
    .optional(),
  /** The version `/<bff>/graphql` serves. Required with `versions`. */
  currentVersion: z.string({ error: 'must be a version name' }).optional(),
  /** Header and client routing to versions, client headers for metrics. */
  versioning: bffVersioningOptionsSchema.optional(),
});
export type BffDefinition = z.input<typeof bffDefinitionSchema>;

/** Types a BFF file: `export default defineBff({...})`. */
export function defineBff(definition: BffDefinition): BffDefinition {
  return definition;
}
