import type { Plugin } from 'graphql-yoga';
import type { PolicyContext } from '../plugins/policy-context';
import type { SubscriptionLimitOptions } from '../plugins/rate-limit/use-subscription-limit';

/**
 * What a BFF's client can see of the gateway graph, built once at start-up.
 * Patterns are globs (picomatch) over coordinates: a pattern without a dot
 * names types (`Customer`, `*Input`), a pattern with a dot names fields,
 * root fields included (`Query.*`, `Mutation.createProduct`, `*.note`).
 * Names are the gateway's, before any rename.
 */
export interface BffViewOptions {
  /**
   * Types and fields to keep. Type patterns narrow the types; field patterns
   * narrow the fields of the types their type part matches (`Query.get*`
   * keeps only the `get*` queries and leaves `Product`'s fields alone).
   * @default everything
   */
  include?: string[];
  /**
   * Makes `include` the whole list of what the view serves: a field is served
   * only when a field pattern names it (`Query.getProduct`, `Product.{id,name}`)
   * or a type pattern names its type (`Product`: all its fields, those added
   * later included); object and interface types only when a pattern names them
   * (a field whose type is not served is hidden).
   * Enums, scalars, unions and input types follow the fields that use them. A
   * source registered later stays off this BFF until its fields are listed.
   * Without it, `include` narrows only the types its patterns name, and
   * fields of other types (a new link on `Customer`) pass. @default false
   */
  allowList?: boolean;
  /** Types and fields to hide, applied after `include`. A hidden interface field is hidden on every implementation. */
  exclude?: string[];
  /**
   * When set, root fields that return a list are hidden unless they take one
   * of these arguments, so a client cannot ask for a whole collection:
   * `['limit', 'first']`. @default no such rule
   */
  listBoundArguments?: string[];
  /**
   * Arguments hidden from the client and always sent upstream with this value:
   * `{ 'Query.listProducts.limit': 5, 'Order.items.first': 10 }`. On root
   * fields this costs nothing per request; below the root it adds the
   * wrapping layer (the value travels inside the delegated selection).
   */
  hiddenArguments?: Record<string, unknown>;
  /**
   * Arguments that stay visible with a new default, sent upstream when the
   * client leaves them out: `{ 'Query.listProducts.limit': 10 }`.
   */
  argumentDefaults?: Record<string, unknown>;
  /**
   * Renames of types, root fields and object fields:
   * `{ Customer: 'Client', 'Query.getCustomer': 'customer', 'Customer.email': 'mail' }`.
   * Renames add one wrapping layer per request (graphql-tools transforms); filters add none.
   * Every other option uses the gateway's names, before renaming.
   */
  renames?: Record<string, string>;
}

/** A policy: an envelop plugin, or a factory that builds one from the BFF's context. One line in a BFF file. */
export type BffPolicy = Plugin | ((context: PolicyContext) => Plugin | Plugin[]);

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
}

/** Types a BFF file: `export default defineBff({...})`. */
export function defineBff(definition: BffDefinition): BffDefinition {
  return definition;
}
