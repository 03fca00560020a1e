import type { IncomingMessage } from 'node:http';
import { GraphQLError, parse, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { makeServer, CloseCode, type Context, type Server, type SubscribePayload } from 'graphql-ws';
import { isAsyncIterable } from '@graphql-tools/utils';
import type { BffApp } from '../../bff/create-bff-app';
import type { RequestIdentity } from '../../core/context';
import { operationLimitExceeded, shuttingDown } from '../../core/errors';
import type { SubscriptionSlots } from '../../plugins/rate-limit/subscription-slots';
import { ConnectionParamsError, connectionHeaders } from './connection-headers';
import { formatErrorForClient, formatResultForClient } from './format-for-client';
import { relayOperation, type WebSocketOperation } from './websocket-operation';

/** What a socket knows about itself; graphql-ws hands it to every hook as `ctx.extra`. */
export interface ConnectionState {
  readonly app: BffApp;
  readonly upgrade: IncomingMessage;
  /** Operations running now, by the client's id. */
  readonly operations: Map<string, WebSocketOperation>;
  /** Connections per authenticated identity on this BFF (the per-address cap is taken at the upgrade). */
  readonly identitySlots: SubscriptionSlots;
  /** Closes the socket; a code and reason the client sees. */
  close(code: number, reason: string): void;
  /** True once the server drains: no new operation starts. */
  isDraining(): boolean;
  /** Called each time an operation ends. */
  onOperationEnd(): void;
  /** Set by `connection_init`. */
  headers?: Headers;
  identity?: RequestIdentity;
  releaseIdentity?: () => void;
}

type ConnectionContext = Context<Record<string, unknown>, { state: ConnectionState }>;

/**
 * graphql-ws dispatches on the operation type of the document it is given,
 * but here the BFF's Yoga app parses and validates the real one (which a
 * persisted operation does not even send). Both dispatch targets run the same
 * function, so this stand-in only has to be a valid document.
 */
const DISPATCH_DOCUMENT = parse('{ __typename }');

/** An origin the operation requests pretend to come from; never dialled. */
const OPERATION_ORIGIN = 'http://websocket.loom';

/** WebSocket close reasons are at most 123 bytes. */
function closeReason(text: string): string {
  return Buffer.byteLength(text) <= 123 ? text : `${text.slice(0, 100)}…`;
}

/** 4401 for missing or bad credentials, 4403 for credentials that may not connect, as graphql-ws clients expect. */
function closeCodeOf(error: unknown): number {
  const code = error instanceof GraphQLError ? error.extensions.code : undefined;
  if (code === 'UNAUTHENTICATED') return CloseCode.Unauthorized;
  if (code === 'FORBIDDEN') return CloseCode.Forbidden;
  return CloseCode.InternalServerError;
}

const identityKey = (identity: RequestIdentity): string | undefined =>
  identity.kind !== 'anonymous' && identity.subject ? `${identity.kind}:${identity.subject}` : undefined;

/** `connection_init`: the connection's headers, authenticated once through the BFF's useAuth, then the per-identity cap. */
async function acceptConnection(ctx: ConnectionContext): Promise<boolean> {
  const { state } = ctx.extra;
  const { app } = state;
  try {
    state.headers = connectionHeaders(state.upgrade, ctx.connectionParams);
  } catch (error) {
    if (!(error instanceof ConnectionParamsError)) throw error;
    state.close(CloseCode.BadRequest, closeReason(error.message));
    return false;
  }
  const search = new URL(state.upgrade.url ?? '/', OPERATION_ORIGIN).search;
  const probe = new Request(`${OPERATION_ORIGIN}${app.endpoint}${search}`, { headers: state.headers });
  let identity: RequestIdentity = { kind: 'anonymous', scopes: [] };
  try {
    // The upgrade's TLS socket carries a client certificate, if any (useAuth's clientCert).
    if (app.authenticateConnection) identity = await app.authenticateConnection(probe, { req: state.upgrade });
  } catch (error) {
    state.close(closeCodeOf(error), closeReason(error instanceof Error ? error.message : 'Unauthorized'));
    return false;
  }
  const key = identityKey(identity);
  if (key) {
    const release = state.identitySlots.acquire(key);
    if (!release) {
      state.close(
        CloseCode.TooManyInitialisationRequests,
        closeReason(`Too many connections: at most ${app.websocket?.maxConnectionsPerIdentity} per identity`),
      );
      return false;
    }
    state.releaseIdentity = release;
  }
  state.identity = identity;
  return true;
}

/** A `subscribe` message as the JSON POST the BFF's app would get over HTTP; an empty query (a persisted operation) is left out. */
function operationRequest(state: ConnectionState, payload: SubscribePayload, signal: AbortSignal): Request {
  const headers = new Headers(state.headers);
  headers.set('content-type', 'application/json');
  headers.set('accept', 'application/graphql-response+json');
  const search = new URL(state.upgrade.url ?? '/', OPERATION_ORIGIN).search;
  return new Request(`${OPERATION_ORIGIN}${state.app.endpoint}${search}`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      query: payload.query === '' ? undefined : payload.query,
      operationName: payload.operationName ?? undefined,
      variables: payload.variables ?? undefined,
      extensions: payload.extensions ?? undefined,
    }),
    signal,
  });
}

function startOperation(ctx: ConnectionContext, id: string, payload: SubscribePayload): ExecutionArgs | GraphQLError[] {
  const { state } = ctx.extra;
  if (state.isDraining()) return [shuttingDown()];
  const max = state.app.websocket?.maxOperationsPerConnection ?? 1;
  // graphql-ws has registered this id already, so the count includes it.
  if (Object.keys(ctx.subscriptions).length > max) return [operationLimitExceeded(max)];
  const controller = new AbortController();
  const operation: WebSocketOperation = {
    id,
    controller,
    request: operationRequest(state, payload, controller.signal),
  };
  state.operations.set(id, operation);
  return { schema: state.app.schema, document: DISPATCH_DOCUMENT, contextValue: { operation, state } };
}

/** Runs the operation through the BFF's app: every policy, as over HTTP. */
async function runOperation(args: ExecutionArgs): Promise<ExecutionResult | AsyncIterable<ExecutionResult>> {
  const { operation, state } = args.contextValue as { operation: WebSocketOperation; state: ConnectionState };
  const ended = () => {
    if (state.operations.get(operation.id) === operation) state.operations.delete(operation.id);
    state.onOperationEnd();
  };
  let outcome: ExecutionResult | AsyncIterable<ExecutionResult>;
  try {
    // Yoga merges this into the context: rate limits and subscription caps read the caller's address from it.
    outcome = await state.app.runOperation(operation.request, { req: state.upgrade });
  } catch {
    // Not a policy's refusal (those are results): a failure of the pipeline itself. Never thrown to
    // graphql-ws, which would close the whole socket for one operation.
    ended();
    if (state.isDraining()) return { errors: [shuttingDown()] };
    return {
      errors: [new GraphQLError(operation.controller.signal.aborted ? 'Operation cancelled' : 'Unexpected error')],
    };
  }
  if (!isAsyncIterable(outcome)) {
    ended();
    return outcome;
  }
  return relayOperation(outcome, operation, ended);
}

/** The graphql-ws protocol for one BFF's sockets (the BFF is also in each socket's state). */
export function createGraphqlWsServer(connectionInitTimeoutMs: number): Server<{ state: ConnectionState }> {
  return makeServer<Record<string, unknown>, { state: ConnectionState }>({
    // A socket that never sends connection_init is closed with 4408.
    connectionInitWaitTimeout: connectionInitTimeoutMs,
    onConnect: acceptConnection,
    onSubscribe: startOperation,
    execute: runOperation,
    subscribe: runOperation,
    // Errors arrive masked by the BFF's app; only the keys that steer an HTTP answer are left out.
    onNext: (_ctx, _id, _payload, _args, result) => formatResultForClient(result as ExecutionResult),
    onError: (_ctx, _id, _payload, errors) => errors.map(formatErrorForClient),
  });
}
