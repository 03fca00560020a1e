import { startCatalogBackend, type CatalogBackend } from '../../demo/catalog-backend';
import type { GrpcSourceOptions } from '../../src/handlers/grpc/grpc-source-options';
import { startHealthServer, type HealthServer } from '../fixtures/grpc/health-server';
import { startTestGateway } from '../helpers/test-gateway';

/** Issue 18: which gRPC methods reach the public graph, and how. */
const HEALTH = './test/fixtures/real/grpc/health.proto';
const HELLO = './test/fixtures/real/grpc/helloworld.proto';

describe('gRPC: endless streams, service selection, no placeholder fields', () => {
  let server: HealthServer;
  let catalog: CatalogBackend;

  beforeAll(async () => {
    [server, catalog] = await Promise.all([startHealthServer(), startCatalogBackend()]);
  });
  afterAll(async () => {
    await Promise.all([server?.close(), catalog?.close()]);
  });

  async function gatewayWith(grpcSource: Omit<GrpcSourceOptions, 'name' | 'kind' | 'endpoint'>) {
    return startTestGateway({
      sources: [
        { name: 'catalog', kind: 'openapi', spec: './sources/catalog/openapi.yaml', endpoint: catalog.url },
        { name: 'health', kind: 'grpc', endpoint: server.url, timeoutMs: 2000, ...grpcSource },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
  }

  const rootFields = async (
    gateway: Awaited<ReturnType<typeof gatewayWith>>,
    root: 'queryType' | 'mutationType' | 'subscriptionType',
  ) => {
    const { body } = await gateway.query('web', { query: `{ __schema { ${root} { fields { name } } } }` });
    return (body.data?.__schema[root]?.fields ?? []).map((field: { name: string }) => field.name).sort();
  };

  it('exposes a server stream (health Watch, which never ends) as a Subscription only, never as a Query that waits for its end', async () => {
    const gateway = await gatewayWith({ proto: HEALTH });
    try {
      expect(await rootFields(gateway, 'queryType')).toEqual(expect.arrayContaining(['check', 'list']));
      expect(await rootFields(gateway, 'queryType')).not.toContain('watch');
      expect(await rootFields(gateway, 'subscriptionType')).toEqual(['watch']);
      const { body } = await gateway.query('web', { query: '{ check(service: "") { status } }' });
      expect(body).toEqual({ data: { check: { status: 'SERVING' } } });
    } finally {
      await gateway.close();
    }
  });

  it("collects a stream into a Query list only when asked (methods: { 'Greeter.SayHelloStreamReply': 'query' })", async () => {
    const gateway = await gatewayWith({ proto: HELLO, methods: { 'Greeter.SayHelloStreamReply': 'query' } });
    try {
      const { body } = await gateway.query('web', { query: '{ sayHelloStreamReply(name: "Ada") { message } }' });
      expect(body).toEqual({ data: { sayHelloStreamReply: [{ message: 'Hello Ada' }] } });
    } finally {
      await gateway.close();
    }
  });

  it('adds no placeholder field when a proto has no query methods (helloworld)', async () => {
    const gateway = await gatewayWith({ proto: HELLO });
    try {
      expect(await rootFields(gateway, 'queryType')).not.toContain('_sourceInfo');
      expect(await rootFields(gateway, 'mutationType')).toContain('sayHello');
      const { body } = await gateway.query('web', { query: 'mutation { sayHello(name: "Ada") { message } }' });
      expect(body).toEqual({ data: { sayHello: { message: 'Hello Ada' } } });
    } finally {
      await gateway.close();
    }
  });

  it("exposes only the chosen services (services: ['grpc.health.v1.Health'])", async () => {
    const gateway = await gatewayWith({ proto: [HEALTH, HELLO], services: ['grpc.health.v1.Health'] });
    try {
      expect(await rootFields(gateway, 'mutationType')).not.toContain('sayHello');
      expect(await rootFields(gateway, 'queryType')).toEqual(expect.arrayContaining(['check', 'list']));
    } finally {
      await gateway.close();
    }
  });

  it('rejects an unknown service name, naming the services the protos declare', async () => {
    await expect(gatewayWith({ proto: [HEALTH, HELLO], services: ['grpc.health.v1.Nope'] })).rejects.toThrow(
      'source "health": services: no service "grpc.health.v1.Nope" in the protos (they declare grpc.health.v1.Health, helloworld.Greeter)',
    );
  });
});
