import { Kind, type FieldNode, type SelectionSetNode } from 'graphql';
import { missingKey } from '../core/errors';
import { isPromiseLike } from '../core/is-promise-like';

// A batch query must return each entity's key so results can be matched by
// key, not position. The extended selection set is memoized per original node,
// so every parent in one list shares one DataLoader (batch-delegate keys its
// loaders on the printed selection).
const selectionsWithKey = new WeakMap<SelectionSetNode, Map<string, SelectionSetNode>>();

export function selectionWithKey(selectionSet: SelectionSetNode, keyField: string): SelectionSetNode {
  let byKey = selectionsWithKey.get(selectionSet);
  if (!byKey) selectionsWithKey.set(selectionSet, (byKey = new Map()));
  let extended = byKey.get(keyField);
  if (!extended) {
    const keyNode: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: keyField } };
    extended = { ...selectionSet, selections: [...selectionSet.selections, keyNode] };
    byKey.set(keyField, extended);
  }
  return extended;
}

function matchResolved(
  source: string,
  typeName: string,
  keyField: string,
  results: readonly unknown[],
  keys: readonly unknown[],
): unknown[] {
  const byKey = new Map<string, unknown>();
  for (const result of results)
    if (result && typeof result === 'object') byKey.set(String((result as Record<string, unknown>)[keyField]), result);
  return keys.map((wanted) => byKey.get(String(wanted)) ?? missingKey(source, typeName, wanted));
}

/**
 * batch-delegate's valuesFromResults: the entity whose `keyField` equals each
 * key, whatever order the batch endpoint answers in; a key with no entity gets
 * MISSING_KEY (null plus an error on that item only). When the entity type is
 * merged with other sources, results arrive as promises: matched once resolved.
 */
export function valuesByKey(source: string, typeName: string, keyField: string) {
  return (results: unknown, keys: readonly unknown[]): unknown[] => {
    const list = Array.isArray(results) ? results : [];
    if (!list.some(isPromiseLike)) return matchResolved(source, typeName, keyField, list, keys);
    const matched = Promise.all(list).then((resolved) => matchResolved(source, typeName, keyField, resolved, keys));
    return keys.map((_key, index) => matched.then((values) => values[index]));
  };
}
