import { markReplaySafe } from '../shared/replay-safety';
import type { GraphQLError, ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { queryLimitExceeded } from '../../core/errors';
import { requirePositiveInteger } from '../shared/option-checks';

export interface QueryLimitsOptions {
  /** Deepest selection a client may send (fragments count as a level). @default 10 */
  maxDepth?: number;
  /** Most aliases in one operation (`__typename` aliases excepted). @default 15 */
  maxAliases?: number;
  /** Most directives in one operation. @default 50 */
  maxDirectives?: number;
  /** Most lexical tokens in one document; counted while parsing, so huge documents stop early. @default 1000 */
  maxTokens?: number;
  /** Most operations in one batched (JSON array) HTTP request. @default 5 */
  maxBatchSize?: number;
  /** Hide "Did you mean ...?" hints, which leak the schema to probing clients. @default NODE_ENV === 'production' */
  blockFieldSuggestions?: boolean;
}

type LimitCode = Parameters<typeof queryLimitExceeded>[0];

/** graphql-armor's rejections carry no code; ours do, with a 400 and the limit. */
function toLoomError(code: LimitCode, limit: number, armorError: GraphQLError): GraphQLError {
  return queryLimitExceeded(code, armorError.message.replace(/^Syntax Error: /, ''), limit);
}

function reportAs(code: LimitCode, limit: number) {
  return {
    n: limit,
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(toLoomError(code, limit, error))],
  };
}

/**
 * Query-shape limits on graphql-armor: depth, aliases, directives and tokens
 * (validation/parse time, so nothing reaches an upstream), batch size, and
 * field-suggestion blocking. Each rejection is a 400 with our code:
 * DEPTH_LIMIT_EXCEEDED, ALIAS_LIMIT_EXCEEDED, DIRECTIVE_LIMIT_EXCEEDED,
 * TOKEN_LIMIT_EXCEEDED, BATCH_LIMIT_EXCEEDED.
 */
export function useQueryLimits(options: QueryLimitsOptions = {}): Plugin {
  const {
    maxDepth = 10,
    maxAliases = 15,
    maxDirectives = 50,
    maxTokens = 1000,
    maxBatchSize = 5,
    blockFieldSuggestions = process.env.NODE_ENV === 'production',
  } = options;
  for (const [name, value] of Object.entries({ maxDepth, maxAliases, maxDirectives, maxTokens, maxBatchSize })) {
    requirePositiveInteger('useQueryLimits', name, value);
  }
  const armor = EnvelopArmorPlugin({
    maxDepth: reportAs('DEPTH_LIMIT_EXCEEDED', maxDepth),
    maxAliases: reportAs('ALIAS_LIMIT_EXCEEDED', maxAliases),
    maxDirectives: reportAs('DIRECTIVE_LIMIT_EXCEEDED', maxDirectives),
    maxTokens: {
      n: maxTokens,
      exposeLimits: true,
      propagateOnRejection: false,
      onReject: [
        (_context, error) => {
          // Parse time: there is no validation context to report to, so stop the parser here.
          throw toLoomError('TOKEN_LIMIT_EXCEEDED', maxTokens, error);
        },
      ],
    },
    // Cost has its own policy (useCostLimit) on Loom's cost function, shared with the rate limiter.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: blockFieldSuggestions, mask: '' },
  }) as Plugin;
  // Every limit is a function of the request body: the same body always gets the same answer.
  return markReplaySafe({
    onPluginInit({ addPlugin }) {
      addPlugin(armor);
    },
    onRequestParse() {
      return {
        onRequestParseDone({ requestParserResult }) {
          if (Array.isArray(requestParserResult) && requestParserResult.length > maxBatchSize) {
            throw queryLimitExceeded(
              'BATCH_LIMIT_EXCEEDED',
              `Batch of ${requestParserResult.length} operations exceeds the maximum of ${maxBatchSize}`,
              maxBatchSize,
            );
          }
        },
      };
    },
  });
}
