/**
 * The server side of bench/websocket-fanout.ts, in its own process so the
 * clients' memory is not counted: the demo orders backend (live watches) and
 * a gateway with one BFF, on 127.0.0.1. Talks to the parent over IPC.
 */
import { resolve } from 'node:path';
import { startOrdersBackend } from '../../demo/orders-backend';
import { validateConfig } from '../../src/config/validate-config';
import { createGateway } from '../../src/server/create-gateway';
import { listen } from '../../src/server/create-http-server';

type Command = { type: 'measure' } | { type: 'publish'; at: number } | { type: 'stop' };

async function main(): Promise<void> {
  const root = resolve(__dirname, '../..');
  const orders = await startOrdersBackend({ liveWatches: true });
  const config = validateConfig(
    {
      sources: [{ name: 'orders', kind: 'grpc', proto: './sources/orders/orders.proto', endpoint: orders.url }],
      bffs: { live: './bench/bff/websocket-fanout.ts' },
      port: 0,
    },
    '<bench>',
    root,
  );
  const gateway = await createGateway({ config });
  const server = await listen({ gateway }, 0);
  const send = (message: unknown) => process.send?.(message);
  process.on('message', async (command: Command) => {
    if (command.type === 'measure') {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      const memory = process.memoryUsage();
      send({
        type: 'memory',
        rss: memory.rss,
        heapUsed: memory.heapUsed,
        openWatches: orders.openWatches,
        sockets: server.websockets?.openConnections,
      });
    } else if (command.type === 'publish') {
      orders.publishOrderEvent({ orderId: String(command.at), status: 'PAID' });
    } else {
      await server.close();
      await gateway.close();
      await orders.close();
      process.exit(0);
    }
  });
  send({ type: 'ready', url: server.url });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
