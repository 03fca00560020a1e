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

/**
 * Prices of operations without variables, kept with their document: a price
 * depends only on the schema, the document, the variables and the options, and
 * Yoga's parser cache hands the same DocumentNode to every request of one
 * query text. A repeated query (a hostile one included) is priced once.
 */
const pricedByDocument = new WeakMap<DocumentNode, Map<string, PricedRequest>>();

const hasNoVariables = (variables: Record<string, unknown> | null | undefined): boolean => {
  if (!variables) return true;
  for (const _ in variables) return false;
  return true;
};

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
  const price = reusedPrice(calculate, request, stopAbove) ?? computePrice(calculate, request, stopAbove);
  remember(pricedByContext, request.context, calculate.optionsKey, request, price);
  if (hasNoVariables(request.variables))
    remember(pricedByDocument, request.document, documentKey(calculate, request), request, price);
  if ('error' in price) throw price.error;
  return price.price;
}

const documentKey = (calculate: QueryCostCalculator, request: PriceRequest) =>
  `${calculate.optionsKey}\n${request.operationName ?? ''}`;

function reusedPrice(calculate: QueryCostCalculator, request: PriceRequest, stopAbove: number): Price | undefined {
  const known = pricedByContext.get(request.context)?.get(calculate.optionsKey);
  if (known && reusable(known, request, stopAbove)) return known.price;
  if (!hasNoVariables(request.variables)) return undefined;
  const sameText = pricedByDocument.get(request.document)?.get(documentKey(calculate, request));
  // Both requests have no variables (each its own empty object, or none).
  return sameText && reusable(sameText, { ...request, variables: sameText.variables }, stopAbove)
    ? sameText.price
    : undefined;
}

function computePrice(calculate: QueryCostCalculator, request: PriceRequest, stopAbove: number): Price {
  try {
    const priced = calculate.price(request.schema, request.document, request.variables, {
      operationName: request.operationName,
      stopAbove,
    });
    return { price: priced, exact: priced.cost <= stopAbove };
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return { error };
  }
}

function remember(
  store: WeakMap<object, Map<string, PricedRequest>>,
  owner: object,
  key: string,
  { schema, document, variables, operationName }: PriceRequest,
  price: Price,
): void {
  let entries = store.get(owner);
  if (!entries) store.set(owner, (entries = new Map()));
  entries.set(key, { schema, document, variables, operationName, price });
}
