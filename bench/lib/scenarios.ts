import { graphqlRequest, type BenchRequest } from './measure';
import { spreadBomb } from './hostile';

/** The order scenarios run in: each compared pair side by side. */
export const RUN_ORDER = [
  'hive-1call',
  'loom-1call',
  'loom-hostile',
  'hive-1call-fork2',
  'loom-1call-w2',
  'hive-nplus1',
  'loom-orders-user',
  'hive-batched',
  'rest-user',
  'loom-cache-hit',
  'rest-orders',
  'demo-grpc',
  'demo-soap',
  'demo-default-grpc',
  'demo-default-soap',
];

const GET_USER = '{ getUser(id: 1) { id name email } }';

export interface Scenario {
  id: string;
  label: string;
  /** The key in `processes` of the server under test. */
  server: string;
  baseline?: string;
  request: BenchRequest;
  /** Upstream calls caused by one request, counted by whoever can see them. */
  countCalls: () => Promise<number>;
  resetCalls: () => Promise<void>;
  /** Sent one at a time on one more connection during the load window (the hostile-document row). */
  alongside?: BenchRequest;
  /** Run in round 1 only (the default-flags demo: its RSS after the load, not a ratio). */
  firstRoundOnly?: boolean;
}

export interface BenchUrls {
  backendUrl: string;
  loomUrl: string;
  loomW2Url: string;
  /** Absent with SKIP_PEER=1. */
  hiveUrl?: string;
  hiveFork2Url?: string;
  demoUrl: string;
  demoDefaultUrl: string;
  countBackendCalls: () => Promise<number>;
  resetBackendCalls: () => Promise<void>;
  /** Upstream calls a Loom process counted in its /metrics. */
  countLoomCalls: (url: string) => Promise<number>;
}

/** Every scenario `npm run bench` knows, in no particular order (RUN_ORDER orders them). */
export function benchScenarios(urls: BenchUrls): Scenario[] {
  const { backendUrl, loomUrl, loomW2Url, hiveUrl, hiveFork2Url, demoUrl, demoDefaultUrl } = urls;
  const peerCalls = { countCalls: urls.countBackendCalls, resetCalls: urls.resetBackendCalls };
  const demoCalls = (url: string) => ({
    countCalls: () => urls.countLoomCalls(url),
    resetCalls: async () => undefined,
  });
  const ordersWithUser = '{ listOrders(limit: 20) { id total status user { id name email } } }';
  const grpcQuery = process.env.BENCH_GRPC_QUERY ?? '{ listOrders(limit: 20) { id customerId status totalCents } }';
  const soapQuery = process.env.BENCH_SOAP_QUERY ?? '{ getInvoice(orderId: "o1") { invoiceId amount status dueAt } }';
  return [
    {
      id: 'rest-user',
      label: 'REST direct  GET /users/1',
      server: 'backend',
      request: { url: `${backendUrl}/users/1` },
      ...peerCalls,
    },
    {
      id: 'rest-orders',
      label: 'REST direct  GET /orders?limit=20',
      server: 'backend',
      request: { url: `${backendUrl}/orders?limit=20` },
      ...peerCalls,
    },
    ...(hiveUrl && hiveFork2Url
      ? ([
          {
            id: 'hive-1call',
            label: 'Hive  getUser (1 call)',
            server: 'hive',
            baseline: 'rest-user',
            request: graphqlRequest(`${hiveUrl}/graphql`, GET_USER),
            ...peerCalls,
          },
          {
            id: 'hive-1call-fork2',
            label: 'Hive --fork 2  getUser (1 call)',
            server: 'hiveFork2',
            baseline: 'rest-user',
            request: graphqlRequest(`${hiveFork2Url}/graphql`, GET_USER),
            ...peerCalls,
          },
          {
            id: 'hive-nplus1',
            label: 'Hive  20 orders + user (N+1)',
            server: 'hive',
            baseline: 'rest-orders',
            request: graphqlRequest(`${hiveUrl}/graphql`, ordersWithUser),
            ...peerCalls,
          },
          {
            id: 'hive-batched',
            label: 'Hive  20 orders + userBatched (hand-batched)',
            server: 'hive',
            baseline: 'rest-orders',
            request: graphqlRequest(
              `${hiveUrl}/graphql`,
              '{ listOrders(limit: 20) { id total status userBatched { id name email } } }',
            ),
            ...peerCalls,
          },
        ] satisfies Scenario[])
      : []),
    {
      id: 'loom-1call',
      label: 'Loom  getUser (1 call)',
      server: 'loom',
      baseline: 'rest-user',
      request: graphqlRequest(`${loomUrl}/bench/graphql`, GET_USER),
      ...peerCalls,
    },
    {
      id: 'loom-hostile',
      label: 'Loom  getUser + spread bomb on 1 more connection',
      server: 'loom',
      baseline: 'rest-user',
      request: graphqlRequest(`${loomUrl}/bench/graphql`, GET_USER),
      alongside: graphqlRequest(`${loomUrl}/guarded/graphql`, spreadBomb()),
      ...peerCalls,
    },
    {
      id: 'loom-1call-w2',
      label: 'Loom --workers 2  getUser (1 call)',
      server: 'loomW2',
      baseline: 'rest-user',
      request: graphqlRequest(`${loomW2Url}/bench/graphql`, GET_USER),
      ...peerCalls,
    },
    {
      id: 'loom-orders-user',
      label: 'Loom  20 orders + user (auto-batched)',
      server: 'loom',
      baseline: 'rest-orders',
      request: graphqlRequest(`${loomUrl}/bench/graphql`, ordersWithUser),
      ...peerCalls,
    },
    {
      id: 'loom-cache-hit',
      label: 'Loom  getUser, response cache hit',
      server: 'loom',
      baseline: 'rest-user',
      request: graphqlRequest(`${loomUrl}/cached/graphql`, GET_USER),
      ...peerCalls,
    },
    {
      id: 'demo-grpc',
      label: 'Loom demo  gRPC listOrders (20)',
      server: 'demo',
      request: graphqlRequest(`${demoUrl}/bench/graphql`, grpcQuery),
      ...demoCalls(demoUrl),
    },
    {
      id: 'demo-soap',
      label: 'Loom demo  SOAP getInvoice',
      server: 'demo',
      request: graphqlRequest(`${demoUrl}/bench/graphql`, soapQuery),
      ...demoCalls(demoUrl),
    },
    {
      id: 'demo-default-grpc',
      label: 'Loom demo, Node default flags  gRPC listOrders (20)',
      server: 'demoDefault',
      request: graphqlRequest(`${demoDefaultUrl}/bench/graphql`, grpcQuery),
      firstRoundOnly: true,
      ...demoCalls(demoDefaultUrl),
    },
    {
      id: 'demo-default-soap',
      label: 'Loom demo, Node default flags  SOAP getInvoice',
      server: 'demoDefault',
      request: graphqlRequest(`${demoDefaultUrl}/bench/graphql`, soapQuery),
      firstRoundOnly: true,
      ...demoCalls(demoDefaultUrl),
    },
  ];
}
