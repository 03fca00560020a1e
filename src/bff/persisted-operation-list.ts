import { getOperationAST, parse } from 'graphql';
import type { GraphQLSchema } from 'graphql';
import { computeQueryCost } from '../plugins/cost/compute-query-cost';
import type { PolicyDescription } from '../plugins/shared/policy-description';

export interface PersistedOperationEntry {
  /** The operation id clients send (sha256 of the text, or the manifest's own id). */
  id: string;
  /** The operation's name, or `(anonymous)`. */
  name: string;
  text: string;
  /** What the cost limit and rate limiter charge for it with no variables; undefined when it cannot be priced so. */
  cost: number | undefined;
}

export interface PersistedOperationList {
  persistedOnly: boolean;
  operations: PersistedOperationEntry[];
}

/**
 * The persisted operations a BFF serves, priced with its cost limit's options
 * (the defaults without one). Undefined when the BFF has no persisted operations.
 */
export function listPersistedOperations(
  schema: GraphQLSchema,
  policies: readonly PolicyDescription[],
): PersistedOperationList | undefined {
  const persisted = policies.find((policy) => policy.policy === 'usePersistedOperations');
  const manifest = persisted?.options.manifest();
  if (!persisted || !manifest) return undefined;
  const costLimit = policies.find((policy) => policy.policy === 'useCostLimit');
  const { maxCost: _maxCost, ...costOptions } = costLimit?.options ?? {};
  const operations = Object.entries(manifest).map(([id, text]) => {
    const document = parse(text);
    let cost: number | undefined;
    try {
      cost = computeQueryCost(schema, document, {}, costOptions);
    } catch {
      cost = undefined;
    }
    return { id, name: getOperationAST(document)?.name?.value ?? '(anonymous)', text, cost };
  });
  return { persistedOnly: persisted.options.persistedOnly, operations };
}
