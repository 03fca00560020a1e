import type { IncomingMessage, ServerResponse } from 'node:http';
import { CallCounter } from './call-counter';
import { createCustomers, createProducts, type Product } from './catalog-data';
import {
  playFault,
  readBody,
  sendJson,
  startHttpBackend,
  type BackendListenOptions,
  type Fault,
  type RunningBackend,
} from './http-backend';

export interface CatalogBackendOptions extends BackendListenOptions {
  /** Key POST /products requires in X-API-Key. @default process.env.DEMO_CATALOG_API_KEY ?? 'demo-catalog-key' */
  apiKey?: string;
  /** Delay before every answer, in ms (benchmarks). @default 0 */
  delayMs?: number;
}

export interface CatalogBackend extends RunningBackend {
  /** Make an operation (e.g. 'getCustomer') misbehave until cleared. */
  readonly faults: Map<string, Fault>;
}

/** The demo shop's REST catalog on node:http, described by sources/catalog/openapi.yaml. */
export async function startCatalogBackend(options: CatalogBackendOptions = {}): Promise<CatalogBackend> {
  const apiKey = options.apiKey ?? process.env.DEMO_CATALOG_API_KEY ?? 'demo-catalog-key';
  const customers = new Map(createCustomers().map((customer) => [customer.id, customer]));
  const products: Product[] = createProducts();
  const calls = new CallCounter();
  const faults = new Map<string, Fault>();
  const lastHeaders = new Map<string, IncomingMessage['headers']>();

  const routes: Array<
    [
      string,
      RegExp,
      (req: IncomingMessage, res: ServerResponse, url: URL, match: RegExpMatchArray) => Promise<void> | void,
    ]
  > = [
    [
      'GET listProducts',
      /^\/products$/,
      (_req, res, url) => {
        const limit = Number(url.searchParams.get('limit') ?? 20);
        const tag = url.searchParams.get('tag');
        sendJson(res, 200, products.filter((product) => !tag || product.tags.includes(tag)).slice(0, limit));
      },
    ],
    [
      'POST createProduct',
      /^\/products$/,
      async (req, res) => {
        if (req.headers['x-api-key'] !== apiKey)
          return sendJson(res, 401, { code: 'UNAUTHORIZED', message: 'missing or wrong X-API-Key' });
        const input = JSON.parse(await readBody(req)) as Omit<Product, 'id'>;
        const product: Product = { ...input, tags: input.tags ?? [], id: `p${products.length + 1}` };
        products.push(product);
        sendJson(res, 201, product);
      },
    ],
    [
      'GET getProduct',
      /^\/products\/([^/]+)$/,
      (_req, res, _url, match) => {
        const product = products.find((candidate) => candidate.id === decodeURIComponent(match[1]));
        if (!product) return sendJson(res, 404, { code: 'NOT_FOUND', message: `product ${match[1]} not found` });
        sendJson(res, 200, product);
      },
    ],
    [
      'GET listCustomers',
      /^\/customers$/,
      (_req, res, url) => {
        const ids = url.searchParams
          .getAll('ids')
          .flatMap((value) => value.split(','))
          .filter(Boolean);
        const list = ids.length ? ids.flatMap((id) => customers.get(id) ?? []) : [...customers.values()];
        sendJson(res, 200, list);
      },
    ],
    [
      'GET getCustomer',
      /^\/customers\/([^/]+)$/,
      (_req, res, _url, match) => {
        const customer = customers.get(decodeURIComponent(match[1]));
        if (!customer) return sendJson(res, 404, { code: 'NOT_FOUND', message: `customer ${match[1]} not found` });
        sendJson(res, 200, customer);
      },
    ],
  ];

  const backend = await startHttpBackend(
    async (req, res, url) => {
      if (url.pathname === '/__stats') return sendJson(res, 200, calls.snapshot());
      for (const [key, pattern, handle] of routes) {
        const [method, operation] = key.split(' ');
        const match = url.pathname.match(pattern);
        if (req.method !== method || !match) continue;
        calls.record(operation);
        lastHeaders.set(operation, req.headers);
        if (options.delayMs) await new Promise((done) => setTimeout(done, options.delayMs));
        if (playFault(faults.get(operation), res)) return;
        return handle(req, res, url, match);
      }
      sendJson(res, 404, { code: 'NO_ROUTE', message: `${req.method} ${url.pathname}` });
    },
    options,
    calls,
    lastHeaders,
  );
  return { ...backend, faults };
}
