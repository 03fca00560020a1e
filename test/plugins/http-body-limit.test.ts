import type { Plugin } from 'graphql-yoga';
import { useBodyLimit } from '../../src/plugins/http/use-body-limit';
import { createTestApp } from './plugin-test-app';

const _typed: Plugin = useBodyLimit();

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      const next = chunks.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

describe('useBodyLimit', () => {
  const app = createTestApp([useBodyLimit({ maxBytes: 1024 })]);

  it('serves a body under the limit', async () => {
    const { status, body } = await app.post({ query: '{ hello }' });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { hello: 'world' } });
  });

  it('refuses a body over the limit by Content-Length with 413, before reading it', async () => {
    const { status, body } = await app.post({ query: `{ hello } # ${'x'.repeat(2000)}` });
    expect(status).toBe(413);
    expect(body).toEqual({
      errors: [
        {
          message: 'Request body exceeds the maximum of 1024 bytes',
          extensions: { code: 'PAYLOAD_TOO_LARGE', maxBytes: 1024 },
        },
      ],
    });
    expect(app.calls()).toBe(1);
  });

  it('refuses a chunked body without Content-Length once the count passes the limit', async () => {
    const chunk = new TextEncoder().encode(`{"query":"{ hello }","variables":{"pad":"${'y'.repeat(600)}`);
    const rest = new TextEncoder().encode(`${'z'.repeat(600)}"}}`);
    const response = await app.request({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: streamOf([chunk, rest]),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect((await response.json()).errors[0].extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE', maxBytes: 1024 });
  });

  it('serves a chunked body under the limit', async () => {
    const response = await app.request({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: streamOf([new TextEncoder().encode('{"query":'), new TextEncoder().encode('"{ hello }"}')]),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { hello: 'world' } });
  });

  it('refuses invalid UTF-8 with 400 BAD_REQUEST instead of decoding it lossily', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"query":"{ hello }","variables":{"a":"'),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('"}}'),
    ]);
    const response = await app.request({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bytes,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ message: 'Request body is not valid UTF-8', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('refuses a forged Content-Length', async () => {
    const response = await app.request({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '10, 10' },
      body: '{"query":"{ hello }"}',
    });
    expect(response.status).toBe(400);
  });

  it('fails at start-up on a bad limit', () => {
    expect(() => useBodyLimit({ maxBytes: 0 })).toThrow('useBodyLimit: maxBytes must be a positive integer, got 0');
  });
});
