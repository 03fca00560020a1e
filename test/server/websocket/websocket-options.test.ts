import { resolveWebSocketOptions } from '../../../src/bff/websocket/websocket-options';
import { ConfigError } from '../../../src/core/errors';

describe("a BFF file's websocket option", () => {
  it('is on with the defaults, off with false or enabled: false', () => {
    expect(resolveWebSocketOptions('web', undefined)).toEqual({
      maxConnectionsPerIp: 20,
      maxConnectionsPerIdentity: 10,
      maxOperationsPerConnection: 25,
      maxMessageBytes: 65_536,
      connectionInitTimeoutMs: 10_000,
      keepAliveMs: 12_000,
      maxBufferedBytes: 4_194_304,
    });
    expect(resolveWebSocketOptions('web', { maxConnectionsPerIp: 3 })?.maxConnectionsPerIp).toBe(3);
    expect(resolveWebSocketOptions('web', false)).toBeUndefined();
    expect(resolveWebSocketOptions('web', { enabled: false })).toBeUndefined();
  });

  it.each([
    [{ maxConnectionsPerIp: 0 }, 'bff "web": websocket.maxConnectionsPerIp must be a positive integer, got 0'],
    [{ keepAliveMs: 1.5 }, 'bff "web": websocket.keepAliveMs must be a positive integer, got 1.5'],
    [{ maxMessageBytes: '64kb' }, 'bff "web": websocket.maxMessageBytes must be a positive integer, got 64kb'],
    [{ maxConnections: 5 }, 'bff "web": websocket.maxConnections is not an option'],
    [{ enabled: 'yes' }, 'bff "web": websocket.enabled must be true or false'],
    [[], 'bff "web": websocket must be an object or false'],
  ])('refuses %j at start-up', (options, message) => {
    const resolve = () => resolveWebSocketOptions('web', options as never);
    expect(resolve).toThrow(ConfigError);
    expect(resolve).toThrow(message);
  });
});
