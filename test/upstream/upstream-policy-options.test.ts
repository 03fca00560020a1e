import { resolve } from 'node:path';
import { validateConfig } from '../../src/config/validate-config';
import { ConfigError } from '../../src/core/errors';
import {
  resolveUpstreamPolicy,
  validateUpstreamPolicyOptions,
  type UpstreamPolicyOptions,
} from '../../src/upstream/upstream-policy-options';

const REPO_ROOT = resolve(__dirname, '../..');

describe('upstream policy options', () => {
  it('fills every default in', () => {
    const policy = resolveUpstreamPolicy('source "s"');
    expect(policy).toMatchObject({
      retry: {
        maxRetries: 2,
        baseDelayMs: 50,
        maxDelayMs: 1000,
        retryNonIdempotent: false,
        budgetRatio: 0.2,
        budgetMinRetries: 10,
        budgetWindowMs: 10_000,
      },
      circuitBreaker: {
        failureRateThreshold: 0.5,
        minimumCalls: 10,
        windowMs: 10_000,
        coolDownMs: 5_000,
        halfOpenMaxCalls: 1,
      },
      outlierDetection: { consecutiveFailures: 5, ejectionMs: 30_000 },
      loadBalancing: 'round-robin',
      maxConnections: 64,
    });
    expect([...policy.retry.idempotentMethods]).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(resolveUpstreamPolicy('s', { shadow: { endpoint: 'http://shadow' } }).shadow).toEqual({
      endpoint: 'http://shadow',
      ratio: 1,
      timeoutMs: 10_000,
    });
  });

  it('keeps defaults for options set to undefined and turns policies off with false', () => {
    const policy = resolveUpstreamPolicy('s', { retry: false, circuitBreaker: false, outlierDetection: false });
    expect(policy.retry.maxRetries).toBe(0);
    expect(policy.circuitBreaker).toBeUndefined();
    expect(policy.outlierDetection).toBeUndefined();
    expect(
      resolveUpstreamPolicy('s', { circuitBreaker: { coolDownMs: undefined, minimumCalls: 3 } }).circuitBreaker,
    ).toMatchObject({ coolDownMs: 5_000, minimumCalls: 3 });
  });

  it.each<[UpstreamPolicyOptions, string]>([
    [{ retry: { maxRetries: -1 } }, 'upstream.retry.maxRetries must be an integer >= 0, got -1'],
    [{ retry: { budgetRatio: 2 } }, 'upstream.retry.budgetRatio must be a number from 0 to 1, got 2'],
    [
      { circuitBreaker: { failureRateThreshold: 0 } },
      'upstream.circuitBreaker.failureRateThreshold must be in (0, 1], got 0',
    ],
    [{ circuitBreaker: { minimumCalls: 0 } }, 'upstream.circuitBreaker.minimumCalls must be an integer >= 1, got 0'],
    [
      { loadBalancing: 'random' as never },
      'upstream.loadBalancing must be one of round-robin, least-outstanding, got "random"',
    ],
    [
      { backupEndpoint: 'ftp://x' },
      'upstream.backupEndpoint must be an http(s) URL (e.g. http://127.0.0.1:8080), got "ftp://x"',
    ],
    [{ shadow: { endpoint: 'http://s', ratio: 1.5 } }, 'upstream.shadow.ratio must be a number from 0 to 1, got 1.5'],
    [{ operationTimeoutsMs: { getItem: 0 } }, 'upstream.operationTimeoutsMs.getItem must be a positive number, got 0'],
    [{ requestDeadlineMs: -5 }, 'upstream.requestDeadlineMs must be a positive number, got -5'],
    [{ fallbacks: { getItem: { kind: 'null' } } }, 'upstream.fallbacks: "getItem" must look like Query.fieldName'],
    [
      { fallbacks: { 'Query.getItem': { kind: 'cached' } as never } },
      'upstream.fallbacks["Query.getItem"].kind must be one of null, static, last-good, got "cached"',
    ],
  ])('rejects %j', (options, message) => {
    expect(() => validateUpstreamPolicyOptions('source "s"', options)).toThrow(
      new ConfigError(`source "s": ${message}`),
    );
  });

  it('fails config validation at start-up naming the file and the source', () => {
    const config = {
      sources: [
        {
          name: 'items',
          kind: 'openapi',
          spec: './test/fixtures/upstream/items.openapi.yaml',
          upstream: { retry: { maxRetries: 1.5 } },
        },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
    };
    expect(() => validateConfig(config, 'mesh.config.ts', REPO_ROOT)).toThrow(
      new ConfigError('mesh.config.ts: source "items": upstream.retry.maxRetries must be an integer >= 0, got 1.5'),
    );
  });

  it('takes host:port backup and shadow endpoints for gRPC sources, and refuses URLs there', () => {
    const grpcSource = (upstream: UpstreamPolicyOptions) => ({
      sources: [
        {
          name: 'orders',
          kind: 'grpc',
          proto: './sources/orders/orders.proto',
          endpoint: ['127.0.0.1:1', '127.0.0.1:2'],
          upstream,
        },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
    expect(() =>
      validateConfig(
        grpcSource({ backupEndpoint: '127.0.0.1:3', shadow: { endpoint: 'grpc://shadow.internal:50051', ratio: 0.1 } }),
        'mesh.config.ts',
        REPO_ROOT,
      ),
    ).not.toThrow();
    expect(() =>
      validateConfig(grpcSource({ shadow: { endpoint: 'http://127.0.0.1:3' } }), 'mesh.config.ts', REPO_ROOT),
    ).toThrow(
      new ConfigError(
        'mesh.config.ts: source "orders": upstream.shadow.endpoint must be host:port (e.g. 127.0.0.1:50051), got "http://127.0.0.1:3"',
      ),
    );
    expect(() => validateConfig(grpcSource({ backupEndpoint: 'orders-backup' }), 'mesh.config.ts', REPO_ROOT)).toThrow(
      new ConfigError(
        'mesh.config.ts: source "orders": upstream.backupEndpoint must be host:port (e.g. 127.0.0.1:50051), got "orders-backup"',
      ),
    );
    expect(resolveUpstreamPolicy('s', { backupEndpoint: '127.0.0.1:3' }, 'address').backupEndpoint).toBe('127.0.0.1:3');
  });

  it('refuses a gRPC source with an empty endpoint list', () => {
    const config = {
      sources: [{ name: 'orders', kind: 'grpc', proto: './sources/orders/orders.proto', endpoint: [] }],
      bffs: { web: './test/fixtures/bff/open.ts' },
    };
    expect(() => validateConfig(config, 'mesh.config.ts', REPO_ROOT)).toThrow(
      new ConfigError('mesh.config.ts: source "orders": endpoint must not be an empty list, got []'),
    );
  });
});
