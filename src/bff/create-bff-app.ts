import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import { createBffView } from './create-bff-view';
import { createGatewayPlugins } from './gateway-plugins';
import { useIntrospectionPolicy } from './use-introspection-policy';
import { useDirectSourceExecution } from './use-direct-source-execution';
import { useIncrementalDelivery, withIncrementalDirectives } from './use-incremental-delivery';
import type { DirectSourceRouter } from '../compose/direct-source-router';
import type { BffDefinition } from './define-bff';
import type { PolicyContext } from '../plugins/policy-context';
import type { GatewayContext } from '../core/context';
import { useBodyLimit } from '../plugins/http/use-body-limit';
import { useCompression, type ResolvedCompression } from '../plugins/http/use-compression';
import { findResponseReplay, type ResponseReplay } from '../plugins/cache/replay/create-response-replay';
import { replayKeyHeaders } from '../plugins/shared/replay-safety';
import { useGatewayServices } from '../plugins/shared/gateway-services';
import { useSubscriptionLimit } from '../plugins/rate-limit/use-subscription-limit';
import { useSubscriptionDrain } from './use-subscription-drain';
import { useRequestBatching } from '../plugins/batching/use-request-batching';
import { createOperationSink, type OperationOutcome } from '../plugins/websocket/create-operation-sink';
import { findConnectionAuthenticator, type ConnectionAuthenticator } from '../plugins/auth/use-auth';
import { resolveWebSocketOptions, type ResolvedWebSocketOptions } from './websocket/websocket-options';
import { findPolicyDescriptions, type PolicyDescription } from '../plugins/shared/policy-description';
import { createExampleQuery, requireValidExampleQuery } from './example-query';
import { listPersistedOperations } from './persisted-operation-list';
import { useBrowserPages } from './browser/use-browser-pages';
import { renderGraphiqlPage } from './browser/render-graphiql-page';
import { renderBffPage } from './browser/render-bff-page';
import type { BffVersionSet } from './versions/route-bff-request';

/** Yoga's own default body limit, kept for BFFs without a tighter one (useHttpHardening). */
const DEFAULT_MAX_BODY_BYTES = 25_000_000;

export interface BffApp {
  readonly name: string;
  readonly endpoint: string;
  readonly definition: BffDefinition;
  readonly schema: GraphQLSchema;
  readonly yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  /** Answers repeated public cache hits before Yoga; only when every policy of the BFF is replay-safe. */
  readonly replay?: ResponseReplay;
  /** GraphQL over WebSocket on this endpoint; undefined when the BFF turns it off. */
  readonly websocket?: ResolvedWebSocketOptions;
  /** The BFF's credential check for a connection (useAuth's); undefined when it has no auth policy. */
  readonly authenticateConnection?: ConnectionAuthenticator;
  /** Runs one operation request through this app with every policy, returning its result as values (WebSocket). */
  runOperation(request: Request, serverContext: Record<string, unknown>): Promise<OperationOutcome>;
  /** What its policies were built with (for the portal), in order. */
  readonly policies: readonly PolicyDescription[];
  /** Whether a browser opening the endpoint gets GraphiQL. */
  readonly graphiql: boolean;
  /** Whether the BFF answers introspection (and so may show its schema). */
  readonly introspection: boolean;
  /** A query that runs on this BFF (GraphiQL's first tab, the portal's links), if one could be made. */
  readonly exampleQuery?: string;
  /** The version this app serves (versioned BFFs). */
  readonly version?: string;
  /** Other paths this app answers besides `endpoint` (versioned BFFs). */
  readonly aliases?: readonly string[];
  /** On a versioned BFF's entry (its current version): every version and how `/<bff>/graphql` is routed. */
  readonly versions?: BffVersionSet<BffApp>;
}

/** How one version of a versioned BFF is served (src/bff/versions/create-versioned-bff-app.ts). */
export interface ServedVersion {
  readonly version: string;
  /** The version's main path. */
  readonly endpoint: string;
  /** Other paths it answers: `/<bff>/<version>/graphql` for the current one, `/<bff>/graphql` when routed there. */
  readonly aliases: readonly string[];
  /** Yoga's graphqlEndpoint: a URLPattern pathname matching the endpoint and its aliases. */
  readonly endpointPattern: string;
  /** The version's schema from its view (mappings); the view itself when nothing is mapped. */
  readonly mapSchema: (view: GraphQLSchema) => GraphQLSchema;
  /** Run right after the gateway's own plugins, before any policy (the version's lifecycle). */
  readonly plugins: readonly Plugin[];
}

export interface CreateBffAppOptions {
  name: string;
  definition: BffDefinition;
  gatewaySchema: GraphQLSchema;
  /** Everything but the schema, which is computed here. */
  policyContext: Omit<PolicyContext, 'schema' | 'bffName'>;
  /** Single-source operations that may skip delegation; used only when the view is the whole graph. */
  directRouter?: DirectSourceRouter;
  /** Response compression; off when undefined. */
  compression?: ResolvedCompression;
  /** Set when this app is one version of a versioned BFF. */
  served?: ServedVersion;
  /** Aborted when the gateway starts draining: open subscriptions then complete. */
  shutdownSignal?: AbortSignal;
}

/** A view that neither hides, renames nor fixes anything: the gateway schema as it is. */
function isWholeGraph(view: BffDefinition['view']): boolean {
  return (
    !view ||
    Object.values(view).every(
      (value) =>
        value === undefined ||
        (Array.isArray(value)
          ? value.length === 0 || (value.length === 1 && value[0] === '*')
          : typeof value === 'object' && Object.keys(value as object).length === 0),
    )
  );
}

function assemblePolicies(definition: BffDefinition, context: PolicyContext): Plugin[] {
  return (definition.policies ?? []).flatMap((policy) => {
    const built = typeof policy === 'function' ? policy(context) : policy;
    return Array.isArray(built) ? built : [built];
  });
}

/** The header a BFF's API keys travel in, when its auth policy takes API keys. */
function apiKeyHeaderOf(descriptions: readonly PolicyDescription[]): string | undefined {
  const auth = descriptions.find((description) => description.policy === 'useAuth');
  if (!auth?.options.apiKey || auth.options.mode === 'off') return undefined;
  return auth.options.apiKey.header ?? 'x-api-key';
}

/** GraphiQL, or the BFF's page, for a browser opening the endpoint or one of its aliases. */
function createBrowserPages(
  shownName: string,
  endpoint: string,
  aliases: readonly string[] | undefined,
  page: {
    graphiql: boolean;
    exampleQuery?: string;
    description?: string;
    schema: GraphQLSchema;
    descriptions: readonly PolicyDescription[];
  },
): Plugin {
  return useBrowserPages({
    endpoint,
    aliases,
    graphiqlPage: page.graphiql
      ? () => renderGraphiqlPage({ bffName: shownName, endpoint, defaultQuery: page.exampleQuery })
      : undefined,
    bffPage: (origin) =>
      renderBffPage({
        bffName: shownName,
        endpoint,
        origin,
        description: page.description,
        persisted: listPersistedOperations(page.schema, page.descriptions),
        apiKeyHeader: apiKeyHeaderOf(page.descriptions),
      }),
  });
}

/** One yoga/envelop instance per BFF: its own schema view and its own policies. */
export function createBffApp({
  name,
  definition,
  gatewaySchema,
  policyContext,
  directRouter,
  compression,
  served,
  shutdownSignal,
}: CreateBffAppOptions): BffApp {
  // Built once here, at start-up; every request of this BFF runs against this object.
  const view = createBffView(gatewaySchema, definition.view, name);
  const mapped = served ? served.mapSchema(view) : view;
  // Built here with @defer/@stream, not per request by Yoga's plugin (which would replace the schema).
  const schema = definition.deferStream ? withIncrementalDirectives(mapped) : mapped;
  const context: PolicyContext = { ...policyContext, bffName: name, schema };
  const introspection = definition.introspection ?? !context.production;
  const policies = assemblePolicies(definition, context);
  // Response replay is offered by a policy part built while Yoga starts (see withGatewayServices); its
  // header-learning hook must run last, so a forwarder stands there and is pointed at it once known.
  let replay: ResponseReplay | undefined;
  const replayForwarder: Plugin = {
    // Last in the list: every policy before it has added its parts by now.
    onPluginInit: ({ plugins }) => void (replay = findResponseReplay(plugins)),
    onResponse: (payload) => (replay?.enabled ? replay.plugin.onResponse?.(payload) : undefined),
  };
  const endpoint = served?.endpoint ?? `/${name}/graphql`;
  const shownName = served ? `${name} ${served.version}` : name;
  const websocket = resolveWebSocketOptions(name, definition.websocket);
  const operationSink = createOperationSink();
  if (definition.exampleQuery !== undefined) requireValidExampleQuery(name, definition.exampleQuery, schema);
  const exampleQuery = definition.exampleQuery ?? createExampleQuery(schema);
  const graphiql = definition.graphiql ?? introspection;
  const descriptions = findPolicyDescriptions(policies);
  const browserPages = createBrowserPages(shownName, endpoint, served?.aliases, {
    graphiql,
    exampleQuery,
    description: definition.description,
    schema,
    descriptions,
  });
  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    // A version's is a URLPattern matching its path and aliases (create-versioned-bff-app.ts).
    graphqlEndpoint: served?.endpointPattern ?? endpoint,
    // Yoga's GraphiQL loads its scripts from a CDN; useBrowserPages serves Loom's own copy instead.
    graphiql: false,
    landingPage: false,
    // Replaced by the same 25 MB limit below, which skips the stream when the server read the body whole.
    maxRequestBodySize: false,
    logging: false,
    maskedErrors: { isDev: !context.production },
    // Yoga's own cap, kept equal to useRequestBatching's, which answers first with the BFF's wording.
    batching: definition.batching ? { limit: definition.batching.maxOperations } : false,
    plugins: [
      // First, so it sets the base execute function that policies (cache, auth) then wrap.
      ...(directRouter && isWholeGraph(definition.view) && mapped === view
        ? [useDirectSourceExecution(directRouter)]
        : []),
      useBodyLimit({ maxBytes: DEFAULT_MAX_BODY_BYTES, requireUtf8: false }),
      // Before the policies, as Yoga's GraphiQL was: a page is not a GraphQL request (no CSRF header, no key).
      browserPages,
      ...createGatewayPlugins(context),
      ...(served?.plugins ?? []),
      useIntrospectionPolicy({ bffName: name, introspection }),
      // Sources answer deferred selections eagerly; the gateway sends the parts (README "@defer and @stream").
      ...(definition.deferStream ? useIncrementalDelivery({ deliversParts: operationSink.owns }) : []),
      // Before the policies: a subscription over the cap is refused before it is charged.
      useSubscriptionLimit(definition.subscriptions),
      // After the limit, so completing on shutdown also frees the client's slot.
      ...(shutdownSignal ? [useSubscriptionDrain({ signal: shutdownSignal })] : []),
      // Before the policies: an array is refused (or admitted) before useQueryLimits counts it.
      useRequestBatching({ maxOperations: definition.batching?.maxOperations, bffName: name }),
      useGatewayServices(context),
      ...policies,
      // After every policy: it takes the final result of a WebSocket operation off the HTTP serializer.
      ...(websocket ? [operationSink.plugin] : []),
      // Last: it learns a replayable answer's headers after every policy has set them.
      replayForwarder,
      // After replay, which must learn the uncompressed answer it replays from the cache.
      ...(compression
        ? [useCompression({ minBytes: compression.minBytes, encodings: [...compression.encodings] })]
        : []),
    ],
  });
  const keyHeaders = replayKeyHeaders(policies);
  if (replay && keyHeaders) replay.enable(keyHeaders);
  return {
    name,
    endpoint,
    definition,
    schema,
    yoga,
    replay: replay?.enabled ? replay : undefined,
    websocket,
    authenticateConnection: findConnectionAuthenticator(policies),
    runOperation: (request, serverContext) =>
      operationSink.run((fetchRequest, context) => yoga.fetch(fetchRequest, context), request, serverContext),
    policies: descriptions,
    graphiql,
    introspection,
    exampleQuery,
    ...(served && { version: served.version, aliases: served.aliases }),
  };
}
