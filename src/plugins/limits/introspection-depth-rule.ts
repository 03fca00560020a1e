import {
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { queryLimitExceeded } from '../../core/errors';

const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

/** Deepest chain of fields under a selection set, fragments flattened (they are no level of the answer). */
function selectionDepth(
  selectionSet: SelectionSetNode | undefined,
  context: ValidationContext,
  fragmentDepths: Map<string, number>,
  fragmentPath: Set<string>,
): number {
  let deepest = 0;
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      deepest = Math.max(deepest, 1 + selectionDepth(selection.selectionSet, context, fragmentDepths, fragmentPath));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, selectionDepth(selection.selectionSet, context, fragmentDepths, fragmentPath));
    } else {
      const name = selection.name.value;
      const fragment: FragmentDefinitionNode | undefined | null = context.getFragment(name);
      // A cycle is another rule's error; counting it once keeps this finite.
      if (!fragment || fragmentPath.has(name)) continue;
      let depth = fragmentDepths.get(name);
      if (depth === undefined) {
        fragmentPath.add(name);
        depth = selectionDepth(fragment.selectionSet, context, fragmentDepths, fragmentPath);
        fragmentPath.delete(name);
        fragmentDepths.set(name, depth);
      }
      deepest = Math.max(deepest, depth);
    }
  }
  return deepest;
}

/**
 * Bounds how deep an introspection query nests (`__schema { types { fields {
 * type { ofType { ofType ... } } } } }`), counting `__schema`/`__type` as
 * level 1 and flattening fragments. graphql-armor's depth limit skips
 * `__schema` entirely, so without this a schema-sized answer could be nested
 * at will wherever introspection is on. Refused with DEPTH_LIMIT_EXCEEDED.
 */
export function maxIntrospectionDepthRule(maxIntrospectionDepth: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragmentDepths = new Map<string, number>();
    let reported = false;
    return {
      Field(node) {
        if (!INTROSPECTION_ROOTS.has(node.name.value)) return undefined;
        const depth = 1 + selectionDepth(node.selectionSet, context, fragmentDepths, new Set());
        if (depth > maxIntrospectionDepth && !reported) {
          reported = true;
          context.reportError(
            queryLimitExceeded(
              'DEPTH_LIMIT_EXCEEDED',
              `Introspection depth limit of ${maxIntrospectionDepth} exceeded, found ${depth}.`,
              maxIntrospectionDepth,
            ),
          );
        }
        // Nothing below an introspection root is another introspection root worth measuring.
        return false;
      },
    };
  };
}
