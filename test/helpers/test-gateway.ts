import { resolve } from 'node:path';
import { validateConfig } from '../../src/config/validate-config';
import type { LoomConfig } from '../../src/config/types';
import { createGateway, type Gateway } from '../../src/server/create-gateway';
import { listen } from '../../src/server/create-http-server';
import type { Logger } from '../../src/core/logger';

export const REPO_ROOT = resolve(__dirname, '../..');
export const FIXTURES = resolve(REPO_ROOT, '../shared/fixtures/real');

export interface TestGateway {
  readonly url: string;
  readonly gateway: Gateway;
  /** POST a GraphQL request to /<bff>/graphql; returns status, headers and parsed body. */
  query(bff: string, body: GraphqlBody, headers?: Record<string, string>): Promise<GraphqlResponse>;
  close(): Promise<void>;
}

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

export async function postGraphql(url: string, body: GraphqlBody, headers: Record<string, string> = {}): Promise<GraphqlResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
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

/** Builds a gateway from an inline config (paths relative to the repo root) and serves it on 127.0.0.1:0. `logger` lets a test capture logs. */
export async function startTestGateway(config: Omit<LoomConfig, 'port'>, configDir = REPO_ROOT, logger?: Logger): Promise<TestGateway> {
  const resolved = validateConfig({ ...config, port: 0 }, '<test>', configDir);
  const gateway = await createGateway({ config: resolved, logger });
  const server = await listen({ gateway }, 0);
  return {
    url: server.url,
    gateway,
    query: (bff, body, headers) => postGraphql(`${server.url}/${bff}/graphql`, body, headers),
    close: async () => {
      await server.close();
      await gateway.close();
    },
  };
}
