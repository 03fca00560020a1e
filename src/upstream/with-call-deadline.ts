import { type ExecutionRequest, type ExecutionResult, type Executor } from '@graphql-tools/utils';
import { upstreamTimeout } from '../core/errors';
import { getRecordOfContext } from '../observability/request-record';
import { failedResult, rootFieldsOfRequest } from '../core/execution-request-fields';
import { runInUpstreamCall, type UpstreamCallContext } from './upstream-call-context';

export interface CallDeadlineOptions {
  source: string;
  /** Per root field timeouts, across retries. */
  operationTimeoutsMs: Readonly<Record<string, number>>;
  /** Budget of the whole client request, from its arrival. */
  requestDeadlineMs: number | undefined;
  /** Whether this call may be repeated; undefined lets the transport decide (HTTP method). */
  idempotent: (request: ExecutionRequest) => boolean | undefined;
  now?: () => number;
}

// When a request's upstream calls started, for requests without a record (executors called directly).
const firstCallAt = new WeakMap<object, number>();

/** Epoch ms at which the client request's budget runs out. */
function requestDeadlineAt(request: ExecutionRequest, deadlineMs: number, now: () => number): number {
  const record = getRecordOfContext(request.context);
  if (record) return now() + (record.startedAt + deadlineMs - performance.now());
  const key = request.context as object | undefined;
  if (!key || typeof key !== 'object') return now() + deadlineMs;
  let startedAt = firstCallAt.get(key);
  if (startedAt === undefined) firstCallAt.set(key, (startedAt = now()));
  return startedAt + deadlineMs;
}

/** The tighter of the operation timeout and the request deadline, with the limit it came from. */
export function callDeadline(
  request: ExecutionRequest,
  options: CallDeadlineOptions,
  now: () => number,
): Pick<UpstreamCallContext, 'deadlineAt' | 'deadlineMs'> {
  let deadlineAt: number | undefined;
  let deadlineMs: number | undefined;
  for (const field of rootFieldsOfRequest(request)) {
    const timeoutMs = options.operationTimeoutsMs[field.fieldName];
    if (timeoutMs !== undefined && (deadlineAt === undefined || now() + timeoutMs < deadlineAt)) {
      deadlineAt = now() + timeoutMs;
      deadlineMs = timeoutMs;
    }
  }
  if (options.requestDeadlineMs !== undefined) {
    const requestAt = requestDeadlineAt(request, options.requestDeadlineMs, now);
    if (deadlineAt === undefined || requestAt < deadlineAt) {
      deadlineAt = requestAt;
      deadlineMs = options.requestDeadlineMs;
    }
  }
  return { deadlineAt, deadlineMs };
}

/**
 * Runs the executor with the call's deadline and idempotency in the upstream
 * call context, where the HTTP client reads them (so the upstream request is
 * really aborted). The race here covers transports that do not read it
 * (gRPC): past the deadline the call answers UPSTREAM_TIMEOUT on its fields.
 */
export function withCallDeadline(executor: Executor, options: CallDeadlineOptions): Executor {
  const now = options.now ?? Date.now;
  return (async (request: ExecutionRequest) => {
    const { deadlineAt, deadlineMs } = callDeadline(request, options, now);
    const call: UpstreamCallContext = { deadlineAt, deadlineMs, idempotent: options.idempotent(request) };
    if (deadlineAt === undefined)
      // Nothing for the transport to read (no deadline; REST decides idempotency by method): no
      // AsyncLocalStorage, whose promise hooks, once on, cost every promise of the process ~8% of a call.
      return call.idempotent === undefined ? executor(request) : runInUpstreamCall(call, () => executor(request));
    const timedOut = () => failedResult(request, upstreamTimeout(options.source, deadlineMs!));
    const remainingMs = deadlineAt - now();
    if (remainingMs <= 0) return timedOut(); // the request's budget is spent: no upstream call
    const running = Promise.resolve(runInUpstreamCall(call, () => executor(request)));
    let timer: NodeJS.Timeout | undefined;
    const expiry = new Promise<ExecutionResult>((resolve) => {
      timer = setTimeout(() => resolve(timedOut()), remainingMs);
    });
    try {
      return await Promise.race([running, expiry]);
    } finally {
      clearTimeout(timer);
      running.catch(() => undefined); // a late failure after the deadline must not be unhandled
    }
  }) as Executor;
}
