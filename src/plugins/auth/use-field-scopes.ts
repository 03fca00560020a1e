import { GraphQLError, getNamedType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { getDirectiveExtensions } from '@graphql-tools/utils';
import { useGenericAuth, type ValidateUserFnParams } from '@envelop/generic-auth';
import type { Plugin } from 'graphql-yoga';
import { forbidden } from '../../core/errors';
import type { GatewayContext, RequestIdentity } from '../../core/context';
import { PolicyOptionError, requireStringList } from '../shared/option-checks';

/** Scopes required per `Type` or `Type.field` coordinate; every listed scope is needed. */
export type FieldScopes = Record<string, string[]>;

/** Checks every coordinate names a real type (and field) of the BFF schema, so a typo fails at start-up. */
export function validateFieldScopes(schema: GraphQLSchema, fieldScopes: FieldScopes): void {
  for (const [coordinate, scopes] of Object.entries(fieldScopes)) {
    requireStringList('useAuth', `fieldScopes["${coordinate}"]`, scopes);
    const [typeName, fieldName, extra] = coordinate.split('.');
    const type = schema.getType(typeName);
    if (!type || !(isObjectType(type) || isInterfaceType(type)) || extra !== undefined) {
      throw new PolicyOptionError(
        'useAuth',
        `fieldScopes: "${coordinate}" is not an object type or Type.field of this BFF`,
      );
    }
    if (fieldName !== undefined && !type.getFields()[fieldName]) {
      throw new PolicyOptionError('useAuth', `fieldScopes: type ${typeName} has no field "${fieldName}"`);
    }
  }
}

type Directives = ValidateUserFnParams<unknown>['fieldDirectives'];

/**
 * Scopes a field needs: config and `@auth(requires: [...])` on the field, on its
 * parent type, and on the type it returns (so a protected type is never even
 * fetched: the field leading to it is refused).
 */
export function requiredScopes(
  params: Pick<ValidateUserFnParams<unknown>, 'parentType' | 'field' | 'fieldDirectives' | 'typeDirectives'>,
  schema: GraphQLSchema,
  fieldScopes: FieldScopes,
  directiveName: string,
): string[] {
  const { parentType, field, fieldDirectives, typeDirectives } = params;
  const fromDirective = (directives: Directives) =>
    (directives?.[directiveName] ?? []).flatMap((args: Record<string, unknown>) =>
      Array.isArray(args?.requires) ? (args.requires as string[]) : [],
    );
  const returnType = getNamedType(field.type);
  const needed = [
    ...(fieldScopes[parentType.name] ?? []),
    ...(fieldScopes[`${parentType.name}.${field.name}`] ?? []),
    ...(fieldScopes[returnType.name] ?? []),
    ...fromDirective(typeDirectives),
    ...fromDirective(fieldDirectives),
    ...fromDirective(getDirectiveExtensions(returnType, schema)),
  ];
  return [...new Set(needed)];
}

/**
 * Field-level authorization on envelop's generic-auth (protect-granular):
 * a field whose scopes the identity lacks is removed from the operation before
 * execution (no upstream asks for it), answered `null` with a FORBIDDEN error
 * at its path, and every other field is served.
 */
export function useFieldScopes(options: {
  fieldScopes: FieldScopes;
  directiveName: string;
  identityOf: (context: GatewayContext) => RequestIdentity | undefined;
}): Plugin {
  const { fieldScopes, directiveName, identityOf } = options;
  const validateUser = (params: ValidateUserFnParams<RequestIdentity>): GraphQLError | undefined => {
    const needed = requiredScopes(params, params.executionArgs.schema, fieldScopes, directiveName);
    if (needed.length === 0) return undefined;
    const held = new Set(params.user?.scopes ?? []);
    const missing = needed.filter((scope) => !held.has(scope));
    if (missing.length === 0) return undefined;
    const base = forbidden(
      `Field "${params.parentType.name}.${params.field.name}" requires scope(s): ${missing.join(', ')}`,
    );
    // generic-auth nulls the data at this path; '@' marks "every item of a list" there.
    return new GraphQLError(base.message, {
      nodes: [params.fieldNode],
      path: params.path,
      extensions: { ...base.extensions, requiredScopes: needed },
    });
  };
  return useGenericAuth<RequestIdentity, GatewayContext, 'loomFieldScopesUser'>({
    mode: 'protect-granular',
    contextFieldName: 'loomFieldScopesUser',
    // Anonymous callers are not rejected here: the auth mode decided that already.
    rejectUnauthenticated: false,
    authDirectiveName: directiveName,
    resolveUserFn: (context) => identityOf(context) ?? { kind: 'anonymous', scopes: [] },
    validateUser,
  }) as Plugin;
}
