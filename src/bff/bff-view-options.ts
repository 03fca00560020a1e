import type { Plugin } from 'graphql-yoga';
import type { PolicyContext } from '../plugins/policy-context';
import { z } from 'zod';
import { nonEmptyString, stringList, stringMap, strictObject } from '../core/options-schema';

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
export const bffPolicySchema = z.custom<BffPolicy>(
  (value) => typeof value === 'function' || (typeof value === 'object' && value !== null && !Array.isArray(value)),
  { error: POLICY },
);
