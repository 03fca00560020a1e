import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startCatalogBackend } from '../../demo/catalog-backend';
import { otlpTracesUrl, setupTracing } from '../../src/observability/setup-tracing';
import { postGraphql, REPO_ROOT } from '../helpers/test-gateway';

interface ReceivedExport {
  path: string;
  contentType?: string;
  body: string;
}

/** A stand-in OTLP/HTTP collector on 127.0.0.1:0 that keeps what it receives. */
async function startCollector() {
  const received: ReceivedExport[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
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

// The OTLP exporter loads node:http with a dynamic import(), which jest's VM
// cannot run; so this runs the real `loom serve` as a child process.
describe('OTLP/HTTP export from loom serve', () => {
  it('exports the request span tree to LOOM_OTLP_ENDPOINT/v1/traces with the configured service name, flushed on SIGTERM', async () => {
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
          LOOM_OTLP_ENDPOINT: collector.url,
          LOOM_LOG_LEVEL: 'warn',
          OTEL_EXPORTER_OTLP_ENDPOINT: '',
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
