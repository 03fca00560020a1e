import { meros } from 'meros/browser';
import { startDemoBackends, type DemoBackends } from '../../../demo/start-demo-backends';
import { startGatedItemsBackend, type GatedItemsBackend } from '../../helpers/held-items-backend';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway';
import { DEMO_BFFS } from '../catalog-gateway';

/**
 * The demo backends (catalog, gRPC orders, SOAP billing), the gated items
 * backend linked as `Order.item`, and a gateway on a real socket serving the
 * demo BFFs and the test BFFs of test/fixtures/bff/defer.
 */
export interface DeferGateway {
  readonly backends: DemoBackends;
  readonly items: GatedItemsBackend;
  readonly gateway: TestGateway;
  /** Upstream calls so far, per backend and operation (empty backends left out). */
  calls(): Record<string, Record<string, number>>;
  resetCalls(): void;
  /** POST a query with an Accept header; the raw Response. */
  post(bff: string, body: Record<string, unknown>, accept: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export async function startDeferGateway(): Promise<DeferGateway> {
  const backends = await startDemoBackends({ issuer: 0 });
  const items = await startGatedItemsBackend();
  const gateway = await startTestGateway(
    {
      sources: [
        {
          name: 'catalog',
          kind: 'openapi',
          spec: './sources/catalog/openapi.yaml',
          endpoint: backends.catalog.url,
          headers: { 'x-api-key': 'demo-catalog-key' },
        },
        { name: 'orders', kind: 'grpc', proto: './sources/orders/orders.proto', endpoint: backends.orders.url },
        { name: 'billing', kind: 'soap', wsdl: './sources/billing/billing.wsdl', endpoint: backends.billing.url },
        {
          name: 'items',
          kind: 'openapi',
          spec: './test/fixtures/ratelimit/items/openapi.yaml',
          endpoint: items.backend.url,
        },
      ],
      links: [
        { field: 'Order.customer', resolveWith: 'getCustomer', args: { id: '$source.customerId' } },
        { field: 'Order.item', resolveWith: 'getItem', args: { id: '$source.customerId' } },
      ],
      bffs: {
        ...DEMO_BFFS,
        open: './test/fixtures/bff/defer/open.ts',
        off: './test/fixtures/bff/defer/off.ts',
        cached: './test/fixtures/bff/defer/cached.ts',
        guarded: './test/fixtures/bff/defer/guarded.ts',
        renamed: './test/fixtures/bff/defer/renamed.ts',
        scoped: './test/fixtures/bff/defer/scoped.ts',
      },
    },
    undefined,
    { socket: true },
  );
  const counters = {
    catalog: backends.catalog.calls,
    orders: backends.orders.calls,
    billing: backends.billing.calls,
    items: items.calls,
  };
  return {
    backends,
    items,
    gateway,
    calls: () =>
      Object.fromEntries(
        Object.entries(counters)
          .map(([name, counter]) => [name, counter.snapshot()] as const)
          .filter(([, snapshot]) => Object.keys(snapshot).length > 0),
      ),
    resetCalls: () => Object.values(counters).forEach((counter) => counter.reset()),
    post: (bff, body, accept, init = {}) =>
      fetch(`${gateway.url}/${bff}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept, ...(init.headers as Record<string, string>) },
        body: JSON.stringify(body),
        signal: init.signal,
      }),
    close: async () => {
      await gateway.close();
      await Promise.all([backends.close(), items.backend.close()]);
    },
  };
}

export interface IncrementalPayload {
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }>;
  incremental?: Array<{
    data?: Record<string, any> | null;
    items?: unknown[];
    path: Array<string | number>;
    label?: string;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }>;
  }>;
  hasNext?: boolean;
}

/** The parts of a multipart/mixed answer, read one at a time with meros (the incremental delivery client). */
export async function multipartParts(response: Response): Promise<AsyncIterator<IncrementalPayload>> {
  expect(response.headers.get('content-type')).toMatch(/^multipart\/mixed/);
  const parts = await meros<IncrementalPayload>(response);
  if (!(Symbol.asyncIterator in parts)) throw new Error('not a multipart answer');
  const iterator = parts[Symbol.asyncIterator]();
  return {
    next: async () => {
      const step = await iterator.next();
      if (step.done) return { done: true, value: undefined };
      if (!step.value.json) throw new Error(`a part that is not JSON: ${String(step.value.body)}`);
      return { done: false, value: step.value.body };
    },
  };
}

/** Reads every remaining part. */
export async function readAll(parts: AsyncIterator<IncrementalPayload>): Promise<IncrementalPayload[]> {
  const all: IncrementalPayload[] = [];
  for (let step = await parts.next(); !step.done; step = await parts.next()) all.push(step.value);
  return all;
}

/** The events of a text/event-stream answer (`event` and parsed `data`), read one at a time. */
export function sseEvents(response: Response): AsyncIterator<{ event: string; data?: IncrementalPayload }> {
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return {
    async next() {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n').filter((line) => !line.startsWith(':'));
          if (lines.length === 0) continue; // keep-alive comment
          const event =
            lines
              .find((line) => line.startsWith('event:'))
              ?.slice(6)
              .trim() ?? 'message';
          const data = lines
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trim())
            .join('\n');
          return { done: false, value: { event, data: data ? (JSON.parse(data) as IncrementalPayload) : undefined } };
        }
        const chunk = await reader.read();
        if (chunk.done) return { done: true, value: undefined };
        buffer += chunk.value;
      }
    },
  };
}

/** Applies incremental payloads to the first one, as a client would: the whole answer. */
export function assemble(payloads: readonly IncrementalPayload[]): { data: any; errors?: unknown[] } {
  const result: { data: any; errors?: unknown[] } = { data: structuredClone(payloads[0]?.data ?? null) };
  const errors = [...(payloads[0]?.errors ?? [])];
  for (const payload of payloads.slice(1)) {
    for (const patch of payload.incremental ?? []) {
      let target = result.data;
      for (const key of patch.path.slice(0, patch.items ? -1 : undefined)) target = target[key];
      if (patch.items) (target as unknown[]).push(...patch.items);
      else if (patch.data) Object.assign(target, deepMerge(target, patch.data));
      errors.push(...(patch.errors ?? []));
    }
  }
  if (errors.length) result.errors = errors;
  return result;
}

function deepMerge(target: any, patch: any): any {
  if (typeof target !== 'object' || target === null || typeof patch !== 'object' || patch === null) return patch;
  const merged = Array.isArray(target) ? [...target] : { ...target };
  for (const [key, value] of Object.entries(patch)) merged[key as any] = deepMerge(target[key], value);
  return merged;
}
