import { markReplaySafe } from './shared/replay-safety';
import type { Plugin } from 'graphql-yoga';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { costLimitExceeded } from '../core/errors';
import { createQueryCostCalculator, type QueryCostOptions } from './cost/compute-query-cost';
import { PolicyOptionError, requirePositiveInteger } from './shared/option-checks';

export interface CostLimitOptions extends QueryCostOptions {
  /** Most an operation may cost (see computeQueryCost: 1 per field, lists multiplied by `first`/`limit` or the default list size). @default 1000 */
  maxCost?: number;
}

/**
 * Refuses an operation whose computed cost exceeds `maxCost` with a 400
 * COST_LIMIT_EXCEEDED carrying `cost` and `maxCost`, after validation and
 * before any resolver (so before any upstream call). The cost is Loom's one
 * cost function, the same the rate limiter charges by.
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
  const refusal = (args: ExecutionArgs): ExecutionResult | undefined => {
    const cost = computeCost(args.schema, args.document, args.variableValues as Record<string, unknown> | undefined, { operationName: args.operationName });
    return cost > maxCost ? { errors: [costLimitExceeded(cost, maxCost)] } : undefined;
  };
  // The cost is a function of the document and variables: replay-safe.
  return markReplaySafe({
    onExecute({ args, setResultAndStopExecution }) {
      const refused = refusal(args);
      if (refused) setResultAndStopExecution(refused);
    },
    // A subscription is priced once, at subscribe, before its upstream stream opens.
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = refusal(args);
      if (refused) setResultAndStopExecution(refused);
    },
  });
}
