import type { Plugin } from 'graphql-yoga';
import type { PolicyContext } from '../plugins/policy-context';
import { z } from 'zod';
import { flag, nonEmptyString, positiveInteger, stringList, stringMap, strictObject } from '../core/options-schema';
import { subscriptionLimitOptionsSchema } from '../plugins/rate-limit/use-subscription-limit';
import { webSocketOptionsSchema } from './websocket/websocket-options';

const patterns = () =>
  z.array(nonEmptyString('must be a glob pattern'), { error: 'must be a list of glob patterns' }).optional();

/**
 * What a BFF's client can see of the gateway graph, built once at start-up.
 * Patterns are globs (picomatch) over coordinates: a pattern without a dot
 * names types (`Customer`, `*Input`), a pattern with a dot names fields,
 * root fields included (`Query.*`, `Mutation.createProduct`, `*.note`).
 * Names are the gateway's, before any rename.
 */
export const bffViewOptionsSchema = strictObject({
  /**
   * Types and fields to keep. Type patterns narrow the types; field patterns
   * narrow the fields of the types their type part matches (`Query.get*`
   * keeps only the `get*` queries and leaves `Product`'s fields alone).
   * @default everything
   */
  include: patterns(),
  /** Types and fields to hide, applied after `include`. A hidden interface field is hidden on every implementation. */
  exclude: patterns(),
  /**
   * When set, root fields that return a list are hidden unless they take one
   * of these arguments, so a client cannot ask for a whole collection:
   * `['limit', 'first']`. @default no such rule
   */
  listBoundArguments: stringList().optional(),
  /**
   * Arguments hidden from the client and always sent upstream with this value:
   * `{ 'Query.listProducts.limit': 5, 'Order.items.first': 10 }`. On root
   * fields this costs nothing per request; below the root it adds the
   * wrapping layer (the value travels inside the delegated selection).
   */
  hiddenArguments: z.record(z.string(), z.unknown(), { error: 'must be an object of coordinate: value' }).optional(),
  /**
   * Arguments that stay visible with a new default, sent upstream when the
   * client leaves them out: `{ 'Query.listProducts.limit': 10 }`.
   */
  argumentDefaults: z.record(z.string(), z.unknown(), { error: 'must be an object of coordinate: value' }).optional(),
  /**
   * Renames of types, root fields and object fields:
   * `{ Customer: 'Client', 'Query.getCustomer': 'customer', 'Customer.email': 'mail' }`.
   * Renames add one wrapping layer per request (graphql-tools transforms); filters add none.
   * Every other option uses the gateway's names, before renaming.
   */
  renames: stringMap().optional(),
});
export type BffViewOptions = z.input<typeof bffViewOptionsSchema>;

/** A policy: an envelop plugin, or a factory that builds one from the BFF's context. One line in a BFF file. */
export type BffPolicy = Plugin | ((context: PolicyContext) => Plugin | Plugin[]);

const POLICY = 'must be a plugin or a function of the BFF context that returns plugins';
const bffPolicySchema = z.custom<BffPolicy>(
  (value) => typeof value === 'function' || (typeof value === 'object' && value !== null && !Array.isArray(value)),
  { error: POLICY },
);

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
  /** Human description shown on the portal. */
  description: z.string().optional(),
  /**
   * The query GraphiQL opens with and the portal links to; it must fit the
   * BFF's schema (checked at start-up). @default one built from the schema's
   * first root query field that needs no argument
   */
  exampleQuery: z.string().optional(),
});
export type BffDefinition = z.input<typeof bffDefinitionSchema>;

/** Types a BFF file: `export default defineBff({...})`. */
export function defineBff(definition: BffDefinition): BffDefinition {
  return definition;
}
