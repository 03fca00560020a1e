import { resolve } from 'node:path';
import { validateConfig } from '../../src/config/validate-config';
import type { LoomConfig } from '../../src/config/types';
import { createGateway, type Gateway } from '../../src/server/create-gateway';
import { listen } from '../../src/server/create-http-server';
import type { Logger } from '../../src/core/logger';

export const REPO_ROOT = resolve(__dirname, '../..');
/** Real-world specs written by others, copied unmodified (provenance: test/fixtures/real/SOURCES.md). */
export const FIXTURES = resolve(REPO_ROOT, 'test/fixtures/real');

export interface TestGateway {
  /** The listener's base URL; only with `{ socket: true }` (otherwise requests stay in-process). */
  readonly url: string;
  readonly gateway: Gateway;
  /** POST a GraphQL request to /<bff>/graphql; returns status, headers and parsed body. */
  query(bff: string, body: GraphqlBody, headers?: Record<string, string>): Promise<GraphqlResponse>;
  /** Any request of the HTTP surface, e.g. `fetch('/readyz')`: in-process, or over the socket when there is one. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  logger?: Logger;
  /** Serve on a real node:http listener at 127.0.0.1:0 (for what needs a socket: replay, peers' addresses, streaming). */
  socket?: boolean;
  /** The gateway's clock (epoch ms), for BFF versions' deprecation and sunset. @default Date.now */
  now?: () => number;
}

/** Where in-process requests pretend to go; never resolved, never dialled. */
const IN_PROCESS_ORIGIN = 'http://loom.in-process';

export interface GraphqlBody {
  query?: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  extensions?: Record<string, unknown>;
}

export interface GraphqlResponse {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, any> | null;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }>;
  };
}

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export async function postGraphql(
  url: string,
  body: GraphqlBody,
  headers: Record<string, string> = {},
  fetchFn: Fetch = fetch,
): Promise<GraphqlResponse> {
  const response = await fetchFn(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...headers,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: GraphqlResponse['body'];
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`not JSON (HTTP ${response.status}): ${text.slice(0, 300)}`);
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/**
 * Builds a gateway from an inline config (paths relative to the repo root).
 * Requests go to `gateway.fetch` in-process unless `socket` asks for a real
 * listener on 127.0.0.1:0. A Logger as third argument lets a test capture logs.
 */
export async function startTestGateway(
  config: Omit<LoomConfig, 'port'>,
  configDir = REPO_ROOT,
  loggerOrOptions?: Logger | TestGatewayOptions,
): Promise<TestGateway> {
  const options: TestGatewayOptions =
    loggerOrOptions && typeof (loggerOrOptions as Logger).child === 'function'
      ? { logger: loggerOrOptions as Logger }
      : ((loggerOrOptions as TestGatewayOptions | undefined) ?? {});
  const resolved = validateConfig({ ...config, port: 0 }, '<test>', configDir);
  const gateway = await createGateway({ config: resolved, logger: options.logger, now: options.now });
  const server = options.socket ? await listen({ gateway }, 0) : undefined;
  const inProcess: Fetch = (url, init) => gateway.fetch(new Request(url, init));
  const fetchFn = server ? fetch : inProcess;
  const base = server?.url ?? IN_PROCESS_ORIGIN;
  return {
    get url() {
      if (!server) throw new Error('startTestGateway: pass { socket: true } for a URL');
      return server.url;
    },
    gateway,
    query: (bff, body, headers) => postGraphql(`${base}/${bff}/graphql`, body, headers, fetchFn),
    fetch: (path, init = {}) => fetchFn(`${base}${path}`, init),
    close: async () => {
      await server?.close();
      await gateway.close();
    },
  };
}
