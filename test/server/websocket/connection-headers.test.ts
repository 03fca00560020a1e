import type { IncomingMessage } from 'node:http';
import { ConnectionParamsError, connectionHeaders } from '../../../src/server/websocket/connection-headers';

const upgrade = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('connection headers: the upgrade request, then the connection_init payload', () => {
  it('takes credentials from either payload shape and a proxy header from the upgrade only', () => {
    const headers = connectionHeaders(
      upgrade({
        host: 'gateway',
        'x-forwarded-for': '203.0.113.9',
        'sec-websocket-key': 'abc',
        'user-agent': 'test',
      }),
      {
        authorization: 'Bearer token',
        headers: { 'X-Api-Key': 'key' },
        'x-forwarded-for': '10.0.0.1',
        forwarded: 'for=10.0.0.1',
        cookie: 'session=1',
        host: 'evil',
        'content-type': 'text/plain',
        lazy: true,
      },
    );
    expect(Object.fromEntries(headers)).toEqual({
      authorization: 'Bearer token',
      'x-api-key': 'key',
      'x-forwarded-for': '203.0.113.9',
      'user-agent': 'test',
    });
  });

  it.each([
    [{ authorization: 'Bearer a\r\nx-injected: 1' }, 'is not a valid header'],
    [{ 'bad header': 'x' }, 'is not a valid header'],
    [{ authorization: 'x'.repeat(8_193) }, 'exceeds 8192 characters'],
    [Object.fromEntries(Array.from({ length: 33 }, (_, index) => [`x-h${index}`, 'v'])), 'more than 32 headers'],
  ])('refuses %#', (payload, message) => {
    expect(() => connectionHeaders(upgrade({}), payload)).toThrow(ConnectionParamsError);
    expect(() => connectionHeaders(upgrade({}), payload)).toThrow(message);
  });
});
