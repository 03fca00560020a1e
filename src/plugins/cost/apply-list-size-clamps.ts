import { Kind, visit, type ArgumentNode, type DocumentNode } from 'graphql';
import type { ListSizeClamps } from './compute-query-cost';

/**
 * The document with each clamped size argument replaced by its clamped
 * literal (added when the client left it out), so upstream gets the size that
 * was priced. The same document when nothing was clamped.
 */
export function applyListSizeClamps(document: DocumentNode, clamps: ListSizeClamps): DocumentNode {
  if (clamps.size === 0) return document;
  return visit(document, {
    Field: {
      enter(node) {
        const byArgument = clamps.get(node);
        if (!byArgument) return undefined;
        const kept = (node.arguments ?? []).filter((argument) => !byArgument.has(argument.name.value));
        const clamped = [...byArgument].map(([name, value]): ArgumentNode => ({
          kind: Kind.ARGUMENT,
          name: { kind: Kind.NAME, value: name },
          value,
        }));
        // The copy keeps the original selection set, whose fields are still the clamps' keys.
        return { ...node, arguments: [...kept, ...clamped] };
      },
    },
  });
}
