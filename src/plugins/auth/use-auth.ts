import { GraphQLError, getOperationAST, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { payloadTooLarge, requestForbidden, unauthenticated } from '../../core/errors';
import type { GatewayContext, RequestIdentity } from '../../core/context';
import { PolicyOptionError, requireNonEmptyString, requireOneOf, requireStringList } from '../shared/option-checks';
import { createApiKeyVerifier, type ApiKeyOptions } from './create-api-key-verifier';
import { createJwtVerifier, type JwtOptions } from './create-jwt-verifier';
import { applyIdentityHeaders, validateForwardIdentity, type ForwardIdentityOptions } from './forward-identity';
import { useFieldScopes, validateFieldScopes, type FieldScopes } from './use-field-scopes';
import { findGatewayServices, type GatewayServices } from '../shared/gateway-services';
import { getOrCreateCounter } from '../../observability/get-or-create-metric';
import { DEFAULT_REDIS_COMMAND_TIMEOUT_MS } from '../stores/with-redis-deadline';
import {
  createIntrospectionVerifier,
  validateIntrospectionOptions,
  type IntrospectionVerifier,
  type OAuthIntrospectionOptions,
} from './oauth/create-introspection-verifier';
import { createMemoryIntrospectionCache, createRedisIntrospectionCache } from './oauth/introspection-cache';
import {
  createHmacVerifier,
  readBodyCapped,
  validateHmacOptions,
  type BodyReader,
  type HmacAuthOptions,
  type HmacVerifier,
} from './hmac/create-hmac-verifier';
import { createMemoryNonceStore, createRedisNonceStore } from './hmac/nonce-store';
import { describePolicy } from '../shared/describe-policy';
import {
  createClientCertVerifier,
  validateClientCertOptions,
  type ClientCertAuthOptions,
} from './client-cert/create-client-cert-verifier';

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
  /**
   * OAuth2 opaque access tokens in `Authorization: Bearer`, checked at an RFC 7662
   * introspection endpoint (cached per token; in Redis when the gateway has one).
   * With `jwt` too, a bearer token shaped like a JWT (three dot-separated parts) goes to
   * the JWT check and any other to introspection.
   */
  oauth?: OAuthIntrospectionOptions;
  /**
   * HMAC request signatures for machine clients (`Authorization: HMAC-SHA256 ...`),
   * nonces remembered in Redis when the gateway has one (README: HMAC request signatures).
   */
  hmac?: HmacAuthOptions;
  /** API keys in a header or query parameter. */
  apiKey?: ApiKeyOptions;
  /**
   * The client certificate of a mutual-TLS connection (listener `tls.ca`) as
   * the identity: its subject CN or a subjectAltName, scopes from config.
   * Used when the request carries no other credential; a certificate the
   * listener could not verify is 401 (README: Client certificates).
   */
  clientCert?: ClientCertAuthOptions;
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
export type ConnectionAuthenticator = (request: Request, serverContext?: unknown) => Promise<RequestIdentity>;

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
  if (mode !== 'off' && !options.jwt && !options.apiKey && !options.oauth && !options.hmac && !options.clientCert)
    throw new PolicyOptionError('useAuth', `mode "${mode}" needs at least one of jwt, oauth, apiKey, hmac, clientCert`);
  if (options.clientCert) validateClientCertOptions(options.clientCert);
  if (options.oauth) validateIntrospectionOptions(options.oauth);
  if (options.hmac) validateHmacOptions(options.hmac);
  const authDirective = options.authDirective ?? 'auth';
  requireNonEmptyString('useAuth', 'authDirective', authDirective);
  if (options.forwardIdentity) validateForwardIdentity(options.forwardIdentity);
  for (const [kind, scopes] of Object.entries(options.operationScopes ?? {})) {
    requireOneOf('useAuth', 'operationScopes', kind, ['query', 'mutation', 'subscription'] as const);
    requireStringList('useAuth', `operationScopes.${kind}`, scopes);
  }
  return { mode, authDirective };
}

/** The introspection check with the gateway's Redis (shared cache), logger and metrics. */
function createOAuthVerifier(options: OAuthIntrospectionOptions, services: GatewayServices): IntrospectionVerifier {
  return createIntrospectionVerifier(options, {
    cache: services.redis
      ? createRedisIntrospectionCache(
          services.redis,
          `${services.redisKeyPrefix}oauth:`,
          services.redisCommandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
        )
      : createMemoryIntrospectionCache(),
    logger: services.logger,
    bffName: services.bffName,
    outcomes: getOrCreateCounter(services.metrics, {
      name: 'loom_auth_introspections_total',
      help: 'OAuth2 token introspections by outcome (cache_hit, active, inactive, unavailable)',
      labelNames: ['bff', 'outcome'],
    }),
  });
}

/** The signature check with nonces in the gateway's Redis (every instance sees every nonce), else in memory. */
function createHmacAuth(options: HmacAuthOptions, services: GatewayServices): HmacVerifier {
  return createHmacVerifier(options, {
    nonces: services.redis
      ? createRedisNonceStore(
          services.redis,
          `${services.redisKeyPrefix}hmac-nonce:`,
          services.redisCommandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
        )
      : createMemoryNonceStore(),
    logger: services.logger,
  });
}

type RequestParsePayload = Parameters<NonNullable<Plugin['onRequestParse']>>[0];

/**
 * Reads the body for a signature check without taking it from Yoga: a body the
 * server already read whole (src/server/read-small-body) is used as it is;
 * a stream is read here and Yoga's parser is handed a request over the bytes.
 */
function bodyReaderFor({
  request,
  serverContext,
  requestParser,
  setRequestParser,
  fetchAPI,
}: RequestParsePayload): BodyReader {
  return async (maxBytes) => {
    const preRead = (serverContext as { req?: { body?: unknown } } | undefined)?.req?.body;
    if (Buffer.isBuffer(preRead)) {
      if (preRead.length > maxBytes) throw payloadTooLarge(maxBytes);
      return preRead;
    }
    const bytes = await readBodyCapped(request, maxBytes);
    if (requestParser && request.body) {
      const parse = requestParser;
      setRequestParser((incoming) =>
        parse(
          new fetchAPI.Request(incoming.url, {
            method: incoming.method,
            headers: incoming.headers,
            body: Buffer.from(bytes),
          }),
        ),
      );
    }
    return bytes;
  };
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
 * Authentication (JWT, OAuth2 introspection, HMAC, API keys, client certificates), field scopes and identity forwarding, as one policy.
 * Credentials are checked when the request arrives, before its body is read;
 * the result is `context.identity` for every later policy (rate limits key on it).
 */
export function useAuth(options: AuthOptions = {}): Plugin {
  const { mode, authDirective } = validateAuthOptions(options);
  const jwt = options.jwt && mode !== 'off' ? createJwtVerifier(options.jwt) : undefined;
  const apiKey = options.apiKey && mode !== 'off' ? createApiKeyVerifier(options.apiKey) : undefined;
  const clientCert = options.clientCert && mode !== 'off' ? createClientCertVerifier(options.clientCert) : undefined;
  const fieldScopes = options.fieldScopes ?? {};
  const operationScopes = options.operationScopes ?? {};
  const identities = new WeakMap<Request, RequestIdentity>();
  // Built in onPluginInit, where the gateway's Redis, logger and metrics are known.
  let oauth: IntrospectionVerifier | undefined;
  let hmac: HmacVerifier | undefined;

  /** A bearer token to its verifier: JWT-shaped ones to `jwt` when configured, the rest to introspection. */
  function verifyBearer(token: string): Promise<RequestIdentity> {
    const jwtShaped = /^[A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]*$/.test(token);
    if (jwt && (jwtShaped || !oauth)) return jwt(token);
    return (oauth as IntrospectionVerifier)(token);
  }

  async function authenticate(
    request: Request,
    url: URL,
    readBody: BodyReader,
    serverContext: unknown,
  ): Promise<RequestIdentity> {
    const bearer = jwt || options.oauth;
    const authorization = bearer || hmac ? request.headers.get('authorization') : null;
    if (hmac && authorization !== null && /^HMAC-SHA256 /i.test(authorization))
      return hmac(request, url, authorization, readBody);
    if (hmac && !bearer && authorization !== null)
      throw unauthenticated('Invalid authorization header: send "HMAC-SHA256 keyId=..., nonce=..., signature=..."');
    if (bearer && authorization !== null) {
      // RFC 6750 b64token; a JWT is a subset of it.
      const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization);
      if (!match) throw unauthenticated('Invalid authorization header: send "Bearer <token>"');
      return verifyBearer(match[1]);
    }
    if (apiKey) {
      const key =
        request.headers.get(apiKey.header) ?? (apiKey.queryParam ? url.searchParams.get(apiKey.queryParam) : null);
      if (key !== null) return apiKey.verify(key);
    }
    // Node's server context ({ req }) holds the TLS socket; a request without a certificate falls through.
    const certified = clientCert?.(serverContext);
    if (certified) return certified;
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
    [CONNECTION_AUTHENTICATOR]: (request, serverContext) =>
      mode === 'off'
        ? Promise.resolve(ANONYMOUS)
        : // A WebSocket upgrade is a GET: an HMAC signature covers an empty body.
          authenticate(request, new URL(request.url), async () => new Uint8Array(), serverContext),
    onSchemaChange({ schema }) {
      validateFieldScopes(schema, fieldScopes);
    },
    onPluginInit({ addPlugin, plugins }) {
      const services = findGatewayServices(plugins);
      if (options.oauth && mode !== 'off') oauth = createOAuthVerifier(options.oauth, services);
      if (options.hmac && mode !== 'off') hmac = createHmacAuth(options.hmac, services);
      if (services.apiKeyStore) apiKey?.attachIssuedKeys(services.apiKeyStore, services.bffName);
      addPlugin(useFieldScopes({ fieldScopes, directiveName: authDirective, identityOf }));
    },
    onExecute: checkOperation,
    onSubscribe: checkOperation,
    async onRequestParse(payload) {
      const { request, url } = payload;
      identities.set(
        request,
        mode === 'off' ? ANONYMOUS : await authenticate(request, url, bodyReaderFor(payload), payload.serverContext),
      );
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
