import { markReplaySafe } from '../shared/replay-safety';
import type { GraphQLError, ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { queryLimitExceeded } from '../../core/errors';
import { maxDistinctFragmentSpreadsRule } from './fragment-spread-rule';
import { maxIntrospectionDepthRule } from './introspection-depth-rule';
import { requirePositiveInteger } from '../shared/option-checks';
import { findGatewayServices } from '../shared/gateway-services';
import { describePolicy } from '../shared/describe-policy';

export interface QueryLimitsOptions {
  /** Deepest selection a client may send (fragments count as a level; introspection has `maxIntrospectionDepth`). @default 10 */
  maxDepth?: number;
  /**
   * Deepest introspection selection, from `__schema`/`__type` (level 1) down,
   * fragments flattened. GraphiQL's full introspection query (graphql-js 16)
   * needs 15. Applies wherever introspection is on. @default 15
   */
  maxIntrospectionDepth?: number;
  /** Most distinct fragments one document spreads (each name counted once, however often spread). @default 100 */
  maxDistinctFragmentSpreads?: number;
  /** Most aliases in one operation (`__typename` aliases excepted). @default 15 */
  maxAliases?: number;
  /** Most directives in one operation. @default 50 */
  maxDirectives?: number;
  /** Most lexical tokens in one document; counted while parsing, so huge documents stop early. @default 1000 */
  maxTokens?: number;
  /** Most operations in one batched (JSON array) HTTP request. @default 5 */
  maxBatchSize?: number;
  /** Hide "Did you mean ...?" hints, which leak the schema to probing clients. @default the gateway's `production` (NODE_ENV === 'production' outside Loom) */
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
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => context?.reportError(toLoomError(code, limit, error)),
    ],
  };
}

/**
 * Query-shape limits on graphql-armor: depth, aliases, directives and tokens
 * (validation/parse time, so nothing reaches an upstream), plus our own
 * introspection depth and distinct fragment spreads, batch size, and
 * field-suggestion blocking. Each rejection is a 400 with our code:
 * DEPTH_LIMIT_EXCEEDED, ALIAS_LIMIT_EXCEEDED, DIRECTIVE_LIMIT_EXCEEDED,
 * TOKEN_LIMIT_EXCEEDED, FRAGMENT_SPREAD_LIMIT_EXCEEDED, BATCH_LIMIT_EXCEEDED.
 */
export function useQueryLimits(options: QueryLimitsOptions = {}): Plugin {
  const {
    maxDepth = 10,
    maxIntrospectionDepth = 15,
    maxDistinctFragmentSpreads = 100,
    maxAliases = 15,
    maxDirectives = 50,
    maxTokens = 1000,
    maxBatchSize = 5,
    blockFieldSuggestions,
  } = options;
  for (const [name, value] of Object.entries({
    maxDepth,
    maxIntrospectionDepth,
    maxDistinctFragmentSpreads,
    maxAliases,
    maxDirectives,
    maxTokens,
    maxBatchSize,
  })) {
    requirePositiveInteger('useQueryLimits', name, value);
  }
  const createArmor = (blockSuggestions: boolean) =>
    EnvelopArmorPlugin({
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
      blockFieldSuggestion: { enabled: blockSuggestions, mask: '' },
    }) as Plugin;
  // Every limit is a function of the request body: the same body always gets the same answer.
  const plugin = markReplaySafe({
    onPluginInit({ plugins, addPlugin }) {
      // Unless set, suggestions are hidden exactly when the gateway runs in production (config `production`).
      addPlugin(createArmor(blockFieldSuggestions ?? findGatewayServices(plugins).production));
    },
    onValidate({ addValidationRule }) {
      addValidationRule(maxIntrospectionDepthRule(maxIntrospectionDepth));
      addValidationRule(maxDistinctFragmentSpreadsRule(maxDistinctFragmentSpreads));
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
  return describePolicy(plugin, { policy: 'useQueryLimits', options });
}
