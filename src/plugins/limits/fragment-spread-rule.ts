import type { ASTVisitor, ValidationContext, ValidationRule } from 'graphql';
import { queryLimitExceeded } from '../../core/errors';

/**
 * Bounds how many distinct fragments one document spreads. Each distinct
 * fragment is a unit of work for validation (overlapping-fields checks compare
 * fragment pairs) and for pricing (memoised per fragment and type), so this
 * caps both. Repeating one spread costs nothing more once memoised; the cost
 * limit prices what repetition asks for. Refused with FRAGMENT_SPREAD_LIMIT_EXCEEDED.
 */
export function maxDistinctFragmentSpreadsRule(maxDistinctFragmentSpreads: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const spread = new Set<string>();
    return {
      FragmentSpread(node) {
        spread.add(node.name.value);
      },
      Document: {
        leave() {
          if (spread.size <= maxDistinctFragmentSpreads) return;
          context.reportError(
            queryLimitExceeded(
              'FRAGMENT_SPREAD_LIMIT_EXCEEDED',
              `Fragment spread limit of ${maxDistinctFragmentSpreads} distinct fragments exceeded, found ${spread.size}.`,
              maxDistinctFragmentSpreads,
            ),
          );
        },
      },
    };
  };
}
