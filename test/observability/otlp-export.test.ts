import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startCatalogBackend } from '../../demo/catalog-backend';
import { otlpTracesUrl, setupTracing } from '../../src/observability/setup-tracing';
import { join } from 'node:path';
import { loadSync } from 'protobufjs';
import { postGraphql, REPO_ROOT } from '../helpers/test-gateway';

interface ReceivedExport {
  path: string;
  contentType?: string;
  headers: IncomingMessage['headers'];
  raw: Buffer;
  body: string;
}

/** A stand-in OTLP/HTTP collector on 127.0.0.1:0 that keeps what it receives. */
async function startCollector() {
  const received: ReceivedExport[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        headers: req.headers,
        raw,
        body: raw.toString('utf8'),
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Every OTEL_* variable the gateway reads, cleared: the test's own environment must not leak in. */
const NO_OTEL_ENV = Object.fromEntries(
  [
    'LOOM_OTLP_ENDPOINT',
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    'OTEL_EXPORTER_OTLP_PROTOCOL',
    'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
    'OTEL_EXPORTER_OTLP_HEADERS',
    'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
    'OTEL_SERVICE_NAME',
    'OTEL_RESOURCE_ATTRIBUTES',
    'OTEL_TRACES_SAMPLER',
    'OTEL_TRACES_SAMPLER_ARG',
    'OTEL_SDK_DISABLED',
  ].map((name) => [name, '']),
);

/** Resolves with the ready URL `loom serve` prints; rejects if the process exits first. */
function waitForReady(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`loom serve exited with ${code}:\n${output}`)));
  });
}

/**
 * `loom serve` over the otlp fixture with `env`, one request per entry of
 * `requests` (extra headers), then SIGTERM; resolves with the exit code once
 * the process (which flushes its spans on the way out) has exited.
 */
async function serveAndStop(catalogUrl: string, env: Record<string, string>, requests: Array<Record<string, string>>) {
  const child = spawn(
    process.execPath,
    ['bin/loom.js', 'serve', '-q', '--config', 'test/observability/fixtures/otlp.config.ts', '--port', '0'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...NO_OTEL_ENV, TEST_CATALOG_URL: catalogUrl, LOOM_LOG_LEVEL: 'warn', ...env },
    },
  );
  try {
    const url = await waitForReady(child);
    for (const headers of requests) {
      const { body } = await postGraphql(`${url}/web/graphql`, { query: '{ getCustomer(id: "1") { id } }' }, headers);
      expect(body).toEqual({ data: { getCustomer: { id: '1' } } });
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    return await exited;
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

const TRACE_SUBSET = loadSync(join(__dirname, 'fixtures/otlp-trace-subset.proto')).lookupType(
  'otlp.subset.ExportTraceServiceRequest',
);

interface DecodedExport {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans: Array<{ spans: Array<{ name: string; traceId: string }> }>;
  }>;
}

/** An OTLP protobuf body as JSON-shaped data, trace ids in hex. */
function decodeProtobufExport(raw: Buffer): DecodedExport {
  return TRACE_SUBSET.toObject(TRACE_SUBSET.decode(raw), { bytes: String, defaults: true }) as DecodedExport;
}

// The OTLP exporter loads node:http with a dynamic import(), which jest's VM
// cannot run; so this runs the real `loom serve` as a child process.
describe('OTLP/HTTP export from loom serve', () => {
  it('exports the request span tree as http/json to LOOM_OTLP_ENDPOINT/v1/traces with the configured service name, flushed on SIGTERM', async () => {
    const collector = await startCollector();
    const backend = await startCatalogBackend();
    const child = spawn(
      process.execPath,
      ['bin/loom.js', 'serve', '--config', 'test/observability/fixtures/otlp.config.ts', '--port', '0'],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          TEST_CATALOG_URL: backend.url,
          ...NO_OTEL_ENV,
          LOOM_OTLP_ENDPOINT: collector.url,
          LOOM_LOG_LEVEL: 'warn',
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        },
      },
    );
    try {
      const url = await waitForReady(child);
      const { body } = await postGraphql(`${url}/web/graphql`, {
        query: 'query Exported { getCustomer(id: "1") { id } }',
      });
      expect(body).toEqual({ data: { getCustomer: { id: '1' } } });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await backend.close();
      await collector.close();
    }
    expect(collector.received.map((entry) => entry.path)).toEqual(['/v1/traces']);
    const [payload] = collector.received;
    expect(payload.contentType).toContain('application/json');
    const exported = JSON.parse(payload.body) as {
      resourceSpans: Array<{
        resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
        scopeSpans: Array<{ spans: Array<{ name: string; traceId: string }> }>;
      }>;
    };
    const [resourceSpans] = exported.resourceSpans;
    expect(resourceSpans.resource.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'loom-otlp-test' },
    });
    const spans = resourceSpans.scopeSpans.flatMap((scope) => scope.spans);
    expect(spans.map((span) => span.name).sort()).toEqual([
      'POST /web/graphql',
      'graphql.execute',
      'graphql.parse',
      'graphql.validate',
      'upstream catalog',
    ]);
    expect(new Set(spans.map((span) => span.traceId)).size).toBe(1);
  }, 60_000);

  it('honours the standard OTEL_* variables: http/protobuf by default, headers, sampler, service name, resource', async () => {
    const collector = await startCollector();
    const backend = await startCatalogBackend();
    const sampledTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    let code: number | null;
    try {
      code = await serveAndStop(
        backend.url,
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
          OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20t0ken,x-tenant=blue',
          OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=green',
          OTEL_SERVICE_NAME: 'checkout-bff',
          OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=staging,service.version=2.0.1',
          // New traces never; a caller's sampled trace always.
          OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
          OTEL_TRACES_SAMPLER_ARG: '0',
        },
        [{}, { traceparent: `00-${sampledTrace}-00f067aa0ba902b7-01` }, {}],
      );
    } finally {
      await backend.close();
      await collector.close();
    }
    expect(code).toBe(0);
    expect(collector.received.map((entry) => [entry.path, entry.contentType])).toEqual([
      ['/v1/traces', 'application/x-protobuf'],
    ]);
    const [payload] = collector.received;
    expect(payload.headers).toMatchObject({ authorization: 'Bearer t0ken', 'x-tenant': 'green' });
    const [resourceSpans] = decodeProtobufExport(payload.raw).resourceSpans;
    const attributes = Object.fromEntries(
      resourceSpans.resource.attributes.map(({ key, value }) => [key, value.stringValue]),
    );
    expect(attributes).toMatchObject({
      'service.name': 'checkout-bff',
      'service.version': '2.0.1',
      'deployment.environment': 'staging',
    });
    const spans = resourceSpans.scopeSpans.flatMap((scope) => scope.spans);
    expect(spans.map((span) => span.name).sort()).toEqual([
      'POST /web/graphql',
      'graphql.execute',
      'graphql.parse',
      'graphql.validate',
      'upstream catalog',
    ]);
    expect(new Set(spans.map((span) => Buffer.from(span.traceId, 'base64').toString('hex')))).toEqual(
      new Set([sampledTrace]),
    );
  }, 60_000);

  it('exports nothing with OTEL_SDK_DISABLED=true, and still serves', async () => {
    const collector = await startCollector();
    const backend = await startCatalogBackend();
    try {
      const code = await serveAndStop(
        backend.url,
        { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SDK_DISABLED: 'true' },
        [{ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }],
      );
      expect(code).toBe(0);
      expect(collector.received).toEqual([]);
    } finally {
      await backend.close();
      await collector.close();
    }
  }, 60_000);

  it('takes the endpoint from LOOM_OTLP_ENDPOINT, then the standard OTEL variables, else exports nothing', () => {
    expect(
      otlpTracesUrl({
        env: { LOOM_OTLP_ENDPOINT: 'http://collector:4318/', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://other:4318' },
      }),
    ).toBe('http://collector:4318/v1/traces');
    expect(
      otlpTracesUrl({
        env: {
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/custom',
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://other:4318',
        },
      }),
    ).toBe('http://collector:4318/custom');
    expect(otlpTracesUrl({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' } })).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(otlpTracesUrl({ env: { LOOM_OTLP_ENDPOINT: 'http://collector:4318/v1/traces' } })).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(otlpTracesUrl({ env: { LOOM_OTLP_ENDPOINT: '' } })).toBeUndefined();
  });

  it('rejects a sample ratio outside 0..1 at setup', () => {
    expect(() => setupTracing({ sampleRatio: 1.5, env: {} })).toThrow('sampleRatio must be from 0 to 1, got 1.5');
  });
});
