import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { CallCounter } from './call-counter';

export const ORDERS_PROTO = resolve(__dirname, '../sources/orders/orders.proto');

export interface OrdersBackendOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /**
   * WatchOrders sends the current orders, then stays open for `publishOrderEvent`
   * instead of ending (live subscriptions, WebSocket tests and benchmarks). @default false
   */
  liveWatches?: boolean;
}

/** How a method misbehaves until cleared: fail with a gRPC status, or never answer. */
export type OrdersFault = { status: grpc.status; message?: string } | 'hang';

export interface OrdersBackend {
  /** host:port, the form gRPC endpoints take. */
  readonly url: string;
  readonly port: number;
  readonly calls: CallCounter;
  /** Metadata of the last call each method received. */
  readonly lastMetadata: Map<string, Record<string, unknown>>;
  readonly faults: Map<string, OrdersFault>;
  /** WatchOrders streams open now (with `liveWatches`). */
  readonly openWatches: number;
  /** Sends an event to every open WatchOrders stream (with `liveWatches`); returns how many got it. */
  publishOrderEvent(event: { orderId: string; status: string }): number;
  close(): Promise<void>;
}

interface OrderRecord {
  id: string;
  customerId: string;
  productIds: string[];
  status: string;
  totalCents: string;
  createdAt: { seconds: number; nanos: number };
  card?: { last4: string; brand: string };
  invoice?: { invoiceId: string; dueInDays: number };
  attributes: Record<string, string>;
  note?: { value: string };
  signature: Buffer;
  metadata: { fields: Record<string, unknown> };
  deliveryWindow: { seconds: number; nanos: number };
  discount?: number;
}

const STATUSES = ['PENDING', 'PAID', 'SHIPPED', 'CANCELLED'];

function createOrders(count = 30): OrderRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const n = index + 1;
    return {
      id: `o${n}`,
      customerId: String((index % 50) + 1),
      productIds: [`p${(index % 30) + 1}`, `p${((index + 7) % 30) + 1}`],
      status: STATUSES[index % 4],
      // above 2^53 on purpose: int64 must never be rounded
      totalCents: n === 1 ? '9007199254740993' : String(n * 1234),
      createdAt: { seconds: 1_767_225_600 + n * 3600, nanos: 500_000_000 },
      ...(index % 2 === 0
        ? { card: { last4: String(4000 + n).slice(-4), brand: 'visa' } }
        : { invoice: { invoiceId: `inv-${n}`, dueInDays: 30 } }),
      attributes: { channel: index % 3 === 0 ? 'web' : 'mobile', gift: String(index % 5 === 0) },
      ...(index % 4 === 0 ? { note: { value: `note for o${n}` } } : {}),
      signature: Buffer.from(`sig-o${n}`),
      metadata: { fields: { source: { stringValue: 'demo' }, priority: { numberValue: index % 3 } } },
      deliveryWindow: { seconds: 86_400 * ((index % 3) + 1), nanos: 0 },
      ...(index % 3 === 0 ? { discount: 0.1 } : {}),
    };
  });
}

type Handler = (
  call: grpc.ServerUnaryCall<any, any> | grpc.ServerWritableStream<any, any>,
  callback?: grpc.sendUnaryData<any>,
) => void;

/** The demo shop's gRPC orders service on @grpc/grpc-js, described by sources/orders/orders.proto. */
export async function startOrdersBackend({
  port = 0,
  host = '127.0.0.1',
  liveWatches = false,
}: OrdersBackendOptions = {}): Promise<OrdersBackend> {
  const watches = new Set<grpc.ServerWritableStream<{ customerId: string }, unknown>>();
  const definition = loadSync(ORDERS_PROTO, { longs: String, enums: String, defaults: true, oneofs: true });
  const service = (grpc.loadPackageDefinition(definition) as any).shop.orders.v1.OrderService
    .service as grpc.ServiceDefinition;
  const orders = createOrders();
  const calls = new CallCounter();
  const faults = new Map<string, OrdersFault>();
  const lastMetadata = new Map<string, Record<string, unknown>>();

  const unary =
    (name: string, answer: (request: any) => unknown): Handler =>
    (call, callback) => {
      calls.record(name);
      lastMetadata.set(name, call.metadata.getMap());
      const fault = faults.get(name);
      if (fault === 'hang') return;
      if (fault)
        return callback!(
          { code: fault.status, details: fault.message ?? `${name} failed on purpose` } as grpc.ServiceError,
          null,
        );
      try {
        callback!(null, answer(call.request));
      } catch (error) {
        callback!(error as grpc.ServiceError, null);
      }
    };
  const notFound = (what: string): grpc.ServiceError =>
    Object.assign(new Error(what), {
      code: grpc.status.NOT_FOUND,
      details: what,
      metadata: new grpc.Metadata(),
    }) as grpc.ServiceError;

  const handlers: Record<string, Handler> = {
    GetOrder: unary('GetOrder', (request: { id: string }) => {
      const order = orders.find((candidate) => candidate.id === request.id);
      if (!order) throw notFound(`order ${request.id} not found`);
      return order;
    }),
    ListOrders: unary('ListOrders', (request: { limit: number; status: string }) => ({
      orders: orders
        .filter((order) => request.status === 'ORDER_STATUS_UNSPECIFIED' || order.status === request.status)
        .slice(0, request.limit || 20),
    })),
    // Answers in reverse order on purpose: callers must match by key, not position.
    GetOrdersByIds: unary('GetOrdersByIds', (request: { ids: string[] }) => ({
      orders: orders.filter((order) => request.ids.includes(order.id)).reverse(),
    })),
    CreateOrder: unary(
      'CreateOrder',
      (request: Omit<OrderRecord, 'id' | 'status' | 'createdAt'> & { requestedAt?: OrderRecord['createdAt'] }) => {
        const order: OrderRecord = {
          ...request,
          id: `o${orders.length + 1}`,
          status: 'PENDING',
          createdAt: request.requestedAt ?? { seconds: Math.floor(Date.now() / 1000), nanos: 0 },
          metadata: { fields: {} },
          deliveryWindow: { seconds: 0, nanos: 0 },
          signature: Buffer.alloc(0),
        };
        orders.push(order);
        return order;
      },
    ),
    WatchOrders: (call) => {
      calls.record('WatchOrders');
      const stream = call as grpc.ServerWritableStream<{ customerId: string }, unknown>;
      lastMetadata.set('WatchOrders', stream.metadata.getMap());
      // Counted so tests can see a client's disconnect reach the backend as a cancelled call.
      stream.once('cancelled', () => {
        calls.record('WatchOrders.cancelled');
        watches.delete(stream);
      });
      const fault = faults.get('WatchOrders');
      if (fault === 'hang') return;
      // grpc-js sends a status for an 'error' event; destroy() would leave the stream open without one.
      if (fault)
        return void stream.emit(
          'error',
          Object.assign(new Error(fault.message ?? 'failed'), {
            code: fault.status,
            details: fault.message ?? 'failed',
          }),
        );
      for (const order of orders
        .filter((candidate) => !stream.request.customerId || candidate.customerId === stream.request.customerId)
        .slice(0, 3)) {
        stream.write({ orderId: order.id, status: order.status, at: order.createdAt });
      }
      if (liveWatches) watches.add(stream);
      else stream.end();
    },
    Ping: unary('Ping', () => ({ message: 'pong' })),
    ImportOrders: (_call, callback) => callback!(null, { orders: [] }),
  };

  const server = new grpc.Server();
  server.addService(service, handlers as unknown as grpc.UntypedServiceImplementation);
  const boundPort = await new Promise<number>((done, fail) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? fail(error) : done(bound),
    ),
  );
  return {
    url: `${host}:${boundPort}`,
    port: boundPort,
    calls,
    lastMetadata,
    faults,
    get openWatches() {
      return watches.size;
    },
    publishOrderEvent: (event) => {
      const at = { seconds: Math.floor(Date.now() / 1000), nanos: 0 };
      for (const stream of watches) stream.write({ ...event, at });
      return watches.size;
    },
    close: () =>
      new Promise<void>((done) => {
        server.forceShutdown();
        done();
      }),
  };
}
