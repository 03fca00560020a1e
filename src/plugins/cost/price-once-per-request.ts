import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { QueryCostCalculator, QueryPrice } from './compute-query-cost';

/** What one pricing gave: a price (exact, or a lower bound past `stopAbove`) or a refusal (BAD_USER_INPUT). */
type Price = { readonly price: QueryPrice; readonly exact: boolean } | { readonly error: GraphQLError };

interface PricedRequest {
  readonly schema: GraphQLSchema;
  readonly document: DocumentNode;
  readonly variables: Record<string, unknown> | null | undefined;
  readonly operationName: string | null | undefined;
  readonly price: Price;
}

/**
 * Prices per request, keyed by the request's GraphQL context (one per
 * operation, batches included). The cost limit and the rate limiter both price
 * every request; with equal cost options the second reuses the first's number
 * instead of walking the document again.
 */
const pricedByContext = new WeakMap<object, Map<string, PricedRequest>>();

export interface PriceRequest {
  readonly context: object;
  readonly schema: GraphQLSchema;
  readonly document: DocumentNode;
  readonly variables?: Record<string, unknown> | null;
  readonly operationName?: string | null;
  /** Stop counting once the cost passes this (the cost limit's maximum). @default Infinity */
  readonly stopAbove?: number;
}

function reusable(priced: PricedRequest, request: PriceRequest, stopAbove: number): boolean {
  const same =
    priced.schema === request.schema &&
    priced.document === request.document &&
    priced.variables === request.variables &&
    priced.operationName === request.operationName;
  if (!same) return false;
  // A lower bound answers only a caller whose limit it already passes.
  return 'error' in priced.price || priced.price.exact || priced.price.price.cost > stopAbove;
}

/**
 * The price of this request's operation under `calculate`'s options, computed
 * at most once per request and options. Returns the price, or throws the
 * calculator's BAD_USER_INPUT error (again, for every caller).
 */
export function priceOncePerRequest(calculate: QueryCostCalculator, request: PriceRequest): QueryPrice {
  const stopAbove = request.stopAbove ?? Number.POSITIVE_INFINITY;
  let byOptions = pricedByContext.get(request.context);
  const known = byOptions?.get(calculate.optionsKey);
  let price: Price;
  if (known && reusable(known, request, stopAbove)) {
    price = known.price;
  } else {
    try {
      const priced = calculate.price(request.schema, request.document, request.variables, {
        operationName: request.operationName,
        stopAbove,
      });
      price = { price: priced, exact: priced.cost <= stopAbove };
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      price = { error };
    }
    if (!byOptions) pricedByContext.set(request.context, (byOptions = new Map()));
    const { schema, document, variables, operationName } = request;
    byOptions.set(calculate.optionsKey, { schema, document, variables, operationName, price });
  }
  if ('error' in price) throw price.error;
  return price.price;
}
