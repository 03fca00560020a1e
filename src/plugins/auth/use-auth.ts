import { GraphQLError, getOperationAST, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { requestForbidden, unauthenticated } from '../../core/errors';
import type { GatewayContext, RequestIdentity } from '../../core/context';
import { PolicyOptionError, requireNonEmptyString, requireOneOf, requireStringList } from '../shared/option-checks';
import { createApiKeyVerifier, type ApiKeyOptions } from './create-api-key-verifier';
import { createJwtVerifier, type JwtOptions } from './create-jwt-verifier';
import { applyIdentityHeaders, validateForwardIdentity, type ForwardIdentityOptions } from './forward-identity';
import { useFieldScopes, validateFieldScopes, type FieldScopes } from './use-field-scopes';
import { describePolicy } from '../shared/describe-policy';

export type AuthMode = 'required' | 'optional' | 'off';

/** Operation types, as `OperationScopes` names them. */
export type OperationKind = 'query' | 'mutation' | 'subscription';

/** Scopes a caller needs to send any operation of a type: `{ mutation: ['shop:write'] }`; `[]` needs only a login. */
export type OperationScopes = Partial<Record<OperationKind, string[]>>;

export interface AuthOptions {
  /**
   * `required`: no valid credentials -> 401 UNAUTHENTICATED before any upstream call.
   * `optional`: anonymous callers pass (identity kind 'anonymous'); wrong credentials still get 401.
   * `off`: no authentication (field scopes then see an anonymous caller).
   * @default 'required'
   */
  mode?: AuthMode;
  /** JWTs in `Authorization: Bearer`. */
  jwt?: JwtOptions;
  /** API keys in a header or query parameter. */
  apiKey?: ApiKeyOptions;
  /** Scopes required per `Type` or `Type.field` of this BFF's schema: `{ 'Customer.email': ['pii:read'] }`. @default {} */
  fieldScopes?: FieldScopes;
  /**
   * Operation types only an authenticated caller with these scopes may send,
   * whatever fields they select: an anonymous caller gets 401
   * UNAUTHENTICATED, one lacking a scope 403 FORBIDDEN, both before execution
   * (no upstream call). With `mode: 'optional'`, `{ mutation: ['shop:write'] }`
   * serves queries to everyone and writes to logged-in writers only. @default {}
   */
  operationScopes?: OperationScopes;
  /** Name of the SDL directive that declares scopes: `@auth(requires: ["orders:read"])`. @default 'auth' */
  authDirective?: string;
  /** Identity sent to upstreams as request headers (gRPC metadata): name them in the source's `forwardHeaders` too. */
  forwardIdentity?: ForwardIdentityOptions;
}

/**
 * Checks a request's credentials the way the plugin checks each request, for
 * a transport that authenticates once per connection (WebSocket
 * `connection_init`). Rejects with the plugin's UNAUTHENTICATED error.
 */
export type ConnectionAuthenticator = (request: Request) => Promise<RequestIdentity>;

const CONNECTION_AUTHENTICATOR = Symbol('loom.connectionAuthenticator');

/** The authenticator of the first useAuth among `plugins`, or undefined when there is none (every caller is anonymous). */
export function findConnectionAuthenticator(plugins: readonly object[]): ConnectionAuthenticator | undefined {
  for (const plugin of plugins) {
    const authenticator = (plugin as { [CONNECTION_AUTHENTICATOR]?: ConnectionAuthenticator })[
      CONNECTION_AUTHENTICATOR
    ];
    if (authenticator) return authenticator;
  }
  return undefined;
}

const ANONYMOUS: RequestIdentity = Object.freeze({ kind: 'anonymous', scopes: Object.freeze([]) as readonly string[] });

function validateAuthOptions(options: AuthOptions): Required<Pick<AuthOptions, 'mode' | 'authDirective'>> {
  const mode = options.mode ?? 'required';
  requireOneOf('useAuth', 'mode', mode, ['required', 'optional', 'off'] as const);
  if (mode !== 'off' && !options.jwt && !options.apiKey)
    throw new PolicyOptionError('useAuth', `mode "${mode}" needs jwt, apiKey or both`);
  const authDirective = options.authDirective ?? 'auth';
  requireNonEmptyString('useAuth', 'authDirective', authDirective);
  if (options.forwardIdentity) validateForwardIdentity(options.forwardIdentity);
  for (const [kind, scopes] of Object.entries(options.operationScopes ?? {})) {
    requireOneOf('useAuth', 'operationScopes', kind, ['query', 'mutation', 'subscription'] as const);
    requireStringList('useAuth', `operationScopes.${kind}`, scopes);
  }
  return { mode, authDirective };
}

/** The refusal an operation gets from `operationScopes`, or undefined when the caller may send it. */
function operationRefusal(
  args: ExecutionArgs,
  identity: RequestIdentity,
  operationScopes: OperationScopes,
): ExecutionResult | undefined {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) return undefined;
  const kind = operation.operation;
  // graphql-js's own answer, given here: generic-auth's field check (field scopes) throws on an operation whose root type is missing.
  if (!args.schema.getRootType(kind))
    return {
      data: null,
      errors: [new GraphQLError(`Schema is not configured to execute ${kind} operation.`, { nodes: operation })],
    };
  const needed = operationScopes[kind];
  if (!needed) return undefined;
  if (identity.kind === 'anonymous') return { errors: [unauthenticated(`Authentication required for a ${kind}`)] };
  const held = new Set(identity.scopes);
  const missing = needed.filter((scope) => !held.has(scope));
  if (missing.length === 0) return undefined;
  return { errors: [requestForbidden(`A ${kind} requires scope(s): ${missing.join(', ')}`)] };
}

/**
 * Authentication (JWT, API keys), field scopes and identity forwarding, as one policy.
 * Credentials are checked when the request arrives, before its body is read;
 * the result is `context.identity` for every later policy (rate limits key on it).
 */
export function useAuth(options: AuthOptions = {}): Plugin {
  const { mode, authDirective } = validateAuthOptions(options);
  const jwt = options.jwt && mode !== 'off' ? createJwtVerifier(options.jwt) : undefined;
  const apiKey = options.apiKey && mode !== 'off' ? createApiKeyVerifier(options.apiKey) : undefined;
  const fieldScopes = options.fieldScopes ?? {};
  const operationScopes = options.operationScopes ?? {};
  const identities = new WeakMap<Request, RequestIdentity>();

  async function authenticate(request: Request, url: URL): Promise<RequestIdentity> {
    const authorization = jwt ? request.headers.get('authorization') : null;
    if (jwt && authorization !== null) {
      const match = /^Bearer +([A-Za-z0-9\-_=.]+) *$/i.exec(authorization);
      if (!match) throw unauthenticated('Invalid authorization header: send "Bearer <token>"');
      return jwt(match[1]);
    }
    if (apiKey) {
      const key =
        request.headers.get(apiKey.header) ?? (apiKey.queryParam ? url.searchParams.get(apiKey.queryParam) : null);
      if (key !== null) return apiKey.verify(key);
    }
    if (mode === 'required') throw unauthenticated('Authentication required');
    return ANONYMOUS;
  }

  const identityOf = (context: GatewayContext) => (context.request ? identities.get(context.request) : undefined);

  // Checked as the operation executes, before the field scopes' check: put useAuth before the rate limit, and a refused operation is charged nothing.
  const checkOperation = ({
    args,
    setResultAndStopExecution,
  }: {
    args: ExecutionArgs;
    setResultAndStopExecution: (result: ExecutionResult) => void;
  }) => {
    const refusal = operationRefusal(
      args,
      identityOf(args.contextValue as GatewayContext) ?? ANONYMOUS,
      operationScopes,
    );
    if (refusal) setResultAndStopExecution(refusal);
  };

  const plugin: Plugin & { [CONNECTION_AUTHENTICATOR]: ConnectionAuthenticator } = {
    [CONNECTION_AUTHENTICATOR]: (request) =>
      mode === 'off' ? Promise.resolve(ANONYMOUS) : authenticate(request, new URL(request.url)),
    onSchemaChange({ schema }) {
      validateFieldScopes(schema, fieldScopes);
    },
    onPluginInit({ addPlugin }) {
      addPlugin(useFieldScopes({ fieldScopes, directiveName: authDirective, identityOf }));
    },
    onExecute: checkOperation,
    onSubscribe: checkOperation,
    async onRequestParse({ request, url }) {
      identities.set(request, mode === 'off' ? ANONYMOUS : await authenticate(request, url));
    },
    onContextBuilding({ context, extendContext }) {
      const identity = identityOf(context) ?? ANONYMOUS;
      if (options.forwardIdentity && context.request)
        applyIdentityHeaders(context.request, identity, options.forwardIdentity);
      // Yoga types the context as its initial one; GatewayContext declares `identity`.
      extendContext({ identity } satisfies Partial<GatewayContext> as object);
    },
  };
  return describePolicy(plugin, { policy: 'useAuth', options });
}
