import type { OperationTypeNode } from 'graphql';

/** What the observability plugins learn about one HTTP request while Yoga serves it. */
export interface RequestRecord {
  /** From a sane incoming `x-request-id`, else a fresh UUID; echoed on the response. */
  readonly requestId: string;
  /** performance.now() when the request arrived. */
  readonly startedAt: number;
  /** A GraphQL request: counted and logged at info (GraphiQL pages and CORS preflights are not). */
  graphql: boolean;
  /** Name from the parsed document (`anonymous` when unnamed); undefined until parsed. */
  operationName?: string;
  operationType?: OperationTypeNode;
  /** The operation as the metrics label it (bounded), once counted. */
  operationLabel?: string;
  /** extensions.code of every error sent to the client, in order. */
  readonly errorCodes: string[];
  upstreamCalls: number;
  upstreamErrors: number;
  /** The BFF version that served it (versioned BFFs only). */
  apiVersion?: string;
  /** The calling client's name and version headers, cleaned (versioned BFFs only). */
  client?: { readonly name: string; readonly version: string };
  /** HTTP status of the response, once known. */
  status?: number;
  durationMs?: number;
}

// Per-request state keyed by the request object (style guide: WeakMap, never a
// field on a shared object); entries vanish with the request.
const records = new WeakMap<Request, RequestRecord>();

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The id a request goes by: its own `x-request-id` when sane, else a fresh UUID. */
export function requestIdFrom(incoming: string | null | undefined): string {
  return incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
}

export function startRequestRecord(request: Request): RequestRecord {
  const record: RequestRecord = {
    requestId: requestIdFrom(request.headers.get('x-request-id')),
    startedAt: performance.now(),
    graphql: false,
    errorCodes: [],
    upstreamCalls: 0,
    upstreamErrors: 0,
  };
  records.set(request, record);
  return record;
}

export function getRequestRecord(request: Request | undefined): RequestRecord | undefined {
  return request ? records.get(request) : undefined;
}

/** The record of the request a GraphQL context belongs to (executors receive that context). */
export function getRecordOfContext(context: unknown): RequestRecord | undefined {
  const request = (context as { request?: unknown } | null | undefined)?.request;
  // typeof, not instanceof Object: a Request made in another realm (a vm, a test sandbox) is no instance of this realm's Object.
  return typeof request === 'object' && request !== null ? records.get(request as Request) : undefined;
}
