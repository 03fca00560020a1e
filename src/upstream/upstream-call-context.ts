import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the executor-level policies know about the call in progress and the
 * transports need: the deadline (per-operation timeout, request deadline) and
 * whether the GraphQL operation may be repeated. Carried in AsyncLocalStorage
 * because handlers' transports (omnigraph's fetch, SOAP, GraphQL) call our
 * client without passing the execution request along.
 */
export interface UpstreamCallContext {
  /** Epoch ms after which no attempt may run. */
  deadlineAt?: number;
  /** The limit the deadline came from, for the UPSTREAM_TIMEOUT message. */
  deadlineMs?: number;
  /** True: safe to retry whatever the HTTP method (GraphQL query, listed operation). Undefined: the method decides. */
  idempotent?: boolean;
}

const storage = new AsyncLocalStorage<UpstreamCallContext>();

export function runInUpstreamCall<T>(call: UpstreamCallContext, run: () => T): T {
  return storage.run(call, run);
}

export function currentUpstreamCall(): UpstreamCallContext | undefined {
  return storage.getStore();
}
