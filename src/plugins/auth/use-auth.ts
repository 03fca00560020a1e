import type { Plugin } from 'graphql-yoga';
import { unauthenticated } from '../../core/errors';
import type { GatewayContext, RequestIdentity } from '../../core/context';
import { PolicyOptionError, requireNonEmptyString, requireOneOf } from '../shared/option-checks';
import { createApiKeyVerifier, type ApiKeyOptions } from './create-api-key-verifier';
import { createJwtVerifier, type JwtOptions } from './create-jwt-verifier';
import { applyIdentityHeaders, validateForwardIdentity, type ForwardIdentityOptions } from './forward-identity';
import { useFieldScopes, validateFieldScopes, type FieldScopes } from './use-field-scopes';

export type AuthMode = 'required' | 'optional' | 'off';

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
  /** Name of the SDL directive that declares scopes: `@auth(requires: ["orders:read"])`. @default 'auth' */
  authDirective?: string;
  /** Identity sent to upstreams as request headers (gRPC metadata): name them in the source's `forwardHeaders` too. */
  forwardIdentity?: ForwardIdentityOptions;
}

const ANONYMOUS: RequestIdentity = Object.freeze({ kind: 'anonymous', scopes: Object.freeze([]) as readonly string[] });

function validateAuthOptions(options: AuthOptions): Required<Pick<AuthOptions, 'mode' | 'authDirective'>> {
  const mode = options.mode ?? 'required';
  requireOneOf('useAuth', 'mode', mode, ['required', 'optional', 'off'] as const);
  if (mode !== 'off' && !options.jwt && !options.apiKey) throw new PolicyOptionError('useAuth', `mode "${mode}" needs jwt, apiKey or both`);
  const authDirective = options.authDirective ?? 'auth';
  requireNonEmptyString('useAuth', 'authDirective', authDirective);
  if (options.forwardIdentity) validateForwardIdentity(options.forwardIdentity);
  return { mode, authDirective };
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
  const identities = new WeakMap<Request, RequestIdentity>();

  async function authenticate(request: Request, url: URL): Promise<RequestIdentity> {
    const authorization = jwt ? request.headers.get('authorization') : null;
    if (jwt && authorization !== null) {
      const match = /^Bearer +([A-Za-z0-9\-_=.]+) *$/i.exec(authorization);
      if (!match) throw unauthenticated('Invalid authorization header: send "Bearer <token>"');
      return jwt(match[1]);
    }
    if (apiKey) {
      const key = request.headers.get(apiKey.header) ?? (apiKey.queryParam ? url.searchParams.get(apiKey.queryParam) : null);
      if (key !== null) return apiKey.verify(key);
    }
    if (mode === 'required') throw unauthenticated('Authentication required');
    return ANONYMOUS;
  }

  const identityOf = (context: GatewayContext) => (context.request ? identities.get(context.request) : undefined);

  return {
    onSchemaChange({ schema }) {
      validateFieldScopes(schema, fieldScopes);
    },
    onPluginInit({ addPlugin }) {
      addPlugin(useFieldScopes({ fieldScopes, directiveName: authDirective, identityOf }));
    },
    async onRequestParse({ request, url }) {
      identities.set(request, mode === 'off' ? ANONYMOUS : await authenticate(request, url));
    },
    onContextBuilding({ context, extendContext }) {
      const identity = identityOf(context) ?? ANONYMOUS;
      if (options.forwardIdentity && context.request) applyIdentityHeaders(context.request, identity, options.forwardIdentity);
      // Yoga types the context as its initial one; GatewayContext declares `identity`.
      extendContext({ identity } satisfies Partial<GatewayContext> as object);
    },
  };
}
