import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrdersBackend } from '../../demo/orders-backend';
import { completeOnAbort } from '../../src/bff/use-subscription-drain';
import { REPO_ROOT } from '../helpers/test-gateway';

const WATCH = 'subscription { watchOrders(customerId: "") { orderId status } }';

/** A source that yields `first`, then stays silent until closed; records whether it was closed. */
function silentAfter<T>(first: T) {
  let closed = false;
  let yielded = false;
  const iterable: AsyncIterable<T> = {
    [Symbol.asyncIterator]: () => ({
      next: () =>
        yielded
          ? new Promise<IteratorResult<T>>(() => undefined)
          : ((yielded = true), Promise.resolve({ done: false, value: first })),
      return: async () => ((closed = true), { done: true, value: undefined }),
    }),
  };
  return { iterable, isClosed: () => closed };
}

describe('completeOnAbort', () => {
  it('ends a silent stream as completed when the signal aborts, and closes the source', async () => {
    const source = silentAfter('o1');
    const controller = new AbortController();
    const stream = completeOnAbort(source.iterable, controller.signal);
    expect(await stream.next()).toEqual({ done: false, value: 'o1' });
    const pending = stream.next();
    controller.abort();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(source.isClosed()).toBe(true);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('lets a client that leaves during silence close the source', async () => {
    const source = silentAfter('o1');
    const stream = completeOnAbort(source.iterable, new AbortController().signal);
    await stream.next();
    void stream.next();
    await stream.return!();
    expect(source.isClosed()).toBe(true);
  });

  it('completes at once when shutdown has already begun', async () => {
    const source = silentAfter('o1');
    const stream = completeOnAbort(source.iterable, AbortSignal.abort());
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(source.isClosed()).toBe(true);
  });
});

describe('loom serve on SIGTERM with an open SSE subscription (a real process)', () => {
  it('completes the subscription with a final complete event and exits 0 long before the deadline', async () => {
    const orders = await startOrdersBackend();
    // The upstream stream opens and never sends: only the drain can end the subscription.
    orders.faults.set('WatchOrders', 'hang');
    const dir = mkdtempSync(join(tmpdir(), 'loom-sse-drain-'));
    writeFileSync(join(dir, 'bff.ts'), 'export default { policies: [] };\n');
    const proto = JSON.stringify(join(REPO_ROOT, 'sources/orders/orders.proto'));
    writeFileSync(
      join(dir, 'loom.config.ts'),
      `export default { sources: [{ name: 'orders', kind: 'grpc', proto: ${proto}, endpoint: '${orders.url}' }], bffs: { web: './bff.ts' }, shutdownTimeoutMs: 60000 };\n`,
    );
    const child = spawn(
      process.execPath,
      ['bin/loom.js', 'serve', '-q', '--config', join(dir, 'loom.config.ts'), '--port', '0'],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, LOOM_LOG_LEVEL: 'warn' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (match) resolve(match[1]!);
        });
        void exited.then((code) => reject(new Error(`exited ${code}: ${stdout}${stderr}`)));
      });
      const response = await fetch(`${url}/web/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: WATCH }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      // The gateway has opened the upstream stream once the backend counts the call.
      for (let turn = 0; orders.calls.count('WatchOrders') === 0 && turn < 100_000; turn++)
        await new Promise((resolve) => setImmediate(resolve));
      expect(orders.calls.count('WatchOrders')).toBe(1);
      child.kill('SIGTERM');
      const body = await response.text();
      expect(body).not.toContain('event: next');
      expect(body.trimEnd().endsWith('event: complete\ndata:')).toBe(true);
      expect(await exited).toBe(0);
      expect(stderr).toBe('loom: SIGTERM: draining (up to 60000 ms for requests in flight)\nloom: stopped\n');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await orders.close();
    }
  }, 60_000);
});
