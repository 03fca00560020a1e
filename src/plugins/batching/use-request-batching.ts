import type { Plugin } from 'graphql-yoga';
import { badRequest, queryLimitExceeded } from '../../core/errors';
import { markReplaySafe } from '../shared/replay-safety';
import { requirePositiveInteger } from '../shared/option-checks';

export interface RequestBatchingOptions {
  /** Most operations in one JSON-array request; undefined turns batching off (an array is refused). */
  maxOperations?: number;
  /** Named in the refusal when batching is off. */
  bffName: string;
}

/**
 * Batched requests (a JSON array of operations, as Apollo's BatchHttpLink
 * sends) for one BFF. Off unless a maximum is set; then each operation of the
 * array runs on its own through the whole pipeline, so it is validated,
 * priced, rate-limited and authorized as if it came alone. The refusals say
 * what is allowed, in one code: BATCH_LIMIT_EXCEEDED (400), with the limit.
 * Runs before the BFF's policies, whose batch cap (useQueryLimits'
 * maxBatchSize) then applies too: the smaller of the two wins.
 */
export function useRequestBatching({ maxOperations, bffName }: RequestBatchingOptions): Plugin {
  if (maxOperations !== undefined) requirePositiveInteger('batching', 'maxOperations', maxOperations);
  return markReplaySafe({
    onRequestParse() {
      return {
        onRequestParseDone({ requestParserResult }) {
          if (!Array.isArray(requestParserResult)) return;
          if (maxOperations === undefined)
            throw queryLimitExceeded(
              'BATCH_LIMIT_EXCEEDED',
              `Batching is off on "${bffName}": send one operation per request, not a JSON array`,
              1,
            );
          if (requestParserResult.length === 0) throw badRequest('A batch must hold at least one operation');
          if (requestParserResult.length > maxOperations)
            throw queryLimitExceeded(
              'BATCH_LIMIT_EXCEEDED',
              `Batch of ${requestParserResult.length} operations exceeds the maximum of ${maxOperations} on "${bffName}"`,
              maxOperations,
            );
          if (requestParserResult.some((params) => !params || typeof params !== 'object' || Array.isArray(params)))
            throw badRequest('Each entry of a batch must be an operation object');
        },
      };
    },
  });
}
