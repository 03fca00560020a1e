import { markReplaySafe } from './shared/replay-safety';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { costLimitExceeded } from '../core/errors';
import { createQueryCostCalculator, type QueryCostOptions, type QueryPrice } from './cost/compute-query-cost';
import { applyListSizeClamps } from './cost/apply-list-size-clamps';
import { priceOncePerRequest } from './cost/price-once-per-request';
import { PolicyOptionError, requirePositiveInteger } from './shared/option-checks';
import { describePolicy } from './shared/describe-policy';

export interface CostLimitOptions extends QueryCostOptions {
  /** Most an operation may cost (see computeQueryCost: 1 per field, lists multiplied by `first`/`limit` or the default list size). @default 1000 */
  maxCost?: number;
}

/**
 * Refuses an operation whose computed cost exceeds `maxCost` with a 400
 * COST_LIMIT_EXCEEDED carrying `cost` and `maxCost`, after validation and
 * before any resolver (so before any upstream call). The cost is Loom's one
 * cost function, the same the rate limiter charges by, computed once per
 * request for both. Counting stops once past `maxCost`, so the `cost` of a
 * refusal is the count at that point (at least `maxCost + 1`). A negative or
 * oversized list size is a 400 BAD_USER_INPUT, or with
 * `outOfRangeListSize: 'clamp'` is clamped: the operation then runs with the
 * clamped size arguments, so upstream is asked for what was priced.
 */
export function useCostLimit(options: CostLimitOptions = {}): Plugin {
  const { maxCost = 1000, ...costOptions } = options;
  requirePositiveInteger('useCostLimit', 'maxCost', maxCost);
  let computeCost: ReturnType<typeof createQueryCostCalculator>;
  try {
    computeCost = createQueryCostCalculator(costOptions);
  } catch (error) {
    throw new PolicyOptionError('useCostLimit', (error as Error).message);
  }
  /** The price of an operation, or the refusal to answer instead (over the limit, or a size the cost function refuses). */
  const priceOf = (args: ExecutionArgs): { price: QueryPrice } | { refusal: ExecutionResult } => {
    try {
      const price = priceOncePerRequest(computeCost, {
        context: args.contextValue as object,
        schema: args.schema,
        document: args.document,
        variables: args.variableValues as Record<string, unknown> | undefined,
        operationName: args.operationName,
        stopAbove: maxCost,
      });
      return price.cost > maxCost ? { refusal: { errors: [costLimitExceeded(price.cost, maxCost)] } } : { price };
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      return { refusal: { errors: [error] } };
    }
  };
  // The cost is a function of the document and variables: replay-safe.
  const plugin = markReplaySafe({
    onExecute({ args, executeFn, setExecuteFn, setResultAndStopExecution }) {
      const priced = priceOf(args);
      if ('refusal' in priced) return setResultAndStopExecution(priced.refusal);
      if (priced.price.clamps.size === 0) return;
      const document = applyListSizeClamps(args.document, priced.price.clamps);
      setExecuteFn((executeArgs) => executeFn({ ...executeArgs, document }));
    },
    // A subscription is priced once, at subscribe, before its upstream stream opens.
    onSubscribe({ args, setResultAndStopExecution }) {
      const priced = priceOf(args);
      if ('refusal' in priced) setResultAndStopExecution(priced.refusal);
    },
  });
  return describePolicy(plugin, { policy: 'useCostLimit', options });
}
