import { getNamedType, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { introspectionDisabled } from '../errors';

const INTROSPECTION_TYPES = new Set(['__Schema', '__Type']);

/**
 * Rejects `__schema` and `__type` wherever they appear (aliases and fragments
 * included, since the rule looks at the field's type, not its name).
 * `__typename` stays allowed: clients need it and it names only visible types.
 */
export function noIntrospectionRule(bffName: string): ValidationRule {
  return (context) => ({
    Field(node) {
      const type = context.getType();
      if (type && INTROSPECTION_TYPES.has(getNamedType(type).name)) {
        context.reportError(introspectionDisabled(node.name.value, bffName));
      }
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
