import { GraphQLError, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { introspectionDisabled } from '../core/errors';

const INTROSPECTION_ENTRY_POINTS = new Set(['__schema', '__type']);

/**
 * Rejects `__schema` and `__type` wherever they appear, fragments included.
 * These meta-fields can only be asked for by name (an alias changes the
 * response key, not `node.name`), so one error per entry point.
 * `__typename` stays allowed: clients need it and it names only visible types.
 */
export function noIntrospectionRule(bffName: string): ValidationRule {
  return (context) => ({
    Field(node) {
      if (!INTROSPECTION_ENTRY_POINTS.has(node.name.value)) return;
      // Same code and message as the catalogue's, plus the location of the field.
      const error = introspectionDisabled(node.name.value, bffName);
      context.reportError(new GraphQLError(error.message, { nodes: node, extensions: error.extensions }));
    },
  });
}

/** graphql-js suggestions ("Did you mean ...?") would let a client map the schema field by field. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

export function stripSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}

export interface IntrospectionPolicyOptions {
  bffName: string;
  /** Whether `__schema`/`__type` queries are answered. */
  introspection: boolean;
}

/** Off: introspection rejected with INTROSPECTION_DISABLED (400) and field suggestions removed. On: nothing. */
export function useIntrospectionPolicy({ bffName, introspection }: IntrospectionPolicyOptions): Plugin {
  if (introspection) return {};
  const rule = noIntrospectionRule(bffName);
  return {
    onValidate: ({ addValidationRule }) => {
      addValidationRule(rule);
      return ({ valid, result }) => {
        if (valid) return;
        for (const error of result) {
          // GraphQLError.message is writable; validation results are created per document.
          error.message = stripSuggestions(error.message);
        }
      };
    },
  };
}
