import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { startTestGateway } from '../../helpers/test-gateway';
import { startTokenServer, type TokenServer } from '../../helpers/token-server';
import { createTestCertificates, type TestCertificates } from '../../helpers/test-certificates';

const HELLO = './test/fixtures/real/grpc/helloworld.proto';
const SAY_HELLO = { query: 'mutation { sayHello(name: "Ada") { message } }' };
const CLIENT_SECRET = `client-${randomUUID()}`;
const ENV_CLIENT = `LOOM_TEST_GRPC_CLIENT_SECRET_${process.pid}`;

interface GreeterServer {
  url: string;
  calls(): number;
  close(): Promise<void>;
}

/** helloworld.Greeter over TLS that requires a client certificate of the test CA; it greets with the caller's CN and token. */
async function startTlsGreeter(certificates: TestCertificates): Promise<GreeterServer> {
  const definition = loadSync(join(__dirname, '../../fixtures/real/grpc/helloworld.proto'));
  const loaded = grpc.loadPackageDefinition(definition) as any;
  let calls = 0;
  const server = new grpc.Server();
  server.addService(loaded.helloworld.Greeter.service, {
    SayHello: (call: grpc.ServerUnaryCall<{ name: string }, unknown>, done: grpc.sendUnaryData<unknown>) => {
      calls++;
      const cn = call.getAuthContext().sslPeerCertificate?.subject?.CN;
      const token = String(call.metadata.get('authorization')[0] ?? 'none');
      done(null, { message: `Hello ${call.request.name} cn=${cn} auth=${token}` });
    },
    SayHelloStreamReply: (call: grpc.ServerWritableStream<unknown, unknown>) => call.end(),
  });
  const credentials = grpc.ServerCredentials.createSsl(
    certificates.read(certificates.caCert),
    [
      {
        cert_chain: certificates.read(certificates.serverCert),
        private_key: certificates.read(certificates.serverKey),
      },
    ],
    true,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    url: `127.0.0.1:${port}`,
    calls: () => calls,
    close: async () => server.forceShutdown(),
  };
}

describe('gRPC source credentials: mTLS and an OAuth2 token as metadata', () => {
  let certificates: TestCertificates;
  let greeter: GreeterServer;
  let tokens: TokenServer;

  beforeAll(async () => {
    process.env[ENV_CLIENT] = CLIENT_SECRET;
    certificates = createTestCertificates();
    greeter = await startTlsGreeter(certificates);
    tokens = await startTokenServer('loom-gw', CLIENT_SECRET);
  });
  afterAll(async () => {
    await greeter.close();
    await tokens.close();
    certificates.remove();
    delete process.env[ENV_CLIENT];
  });

  const gatewayWith = (extra: Record<string, unknown>) =>
    startTestGateway({
      sources: [{ name: 'greeter', kind: 'grpc', proto: HELLO, endpoint: greeter.url, timeoutMs: 5_000, ...extra }],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });

  it('presents the client certificate and sends the OAuth2 token as authorization metadata', async () => {
    const gateway = await gatewayWith({
      credentials: {
        tls: { ca: certificates.caCert, cert: certificates.clientCert, key: certificates.clientKey },
        oauth2: { tokenUrl: tokens.url, clientId: 'loom-gw', clientSecret: { env: ENV_CLIENT } },
      },
    });
    try {
      const before = tokens.calls();
      for (let call = 0; call < 2; call++)
        expect((await gateway.query('web', SAY_HELLO)).body).toEqual({
          data: { sayHello: { message: 'Hello Ada cn=loom-gateway auth=Bearer tok-1' } },
        });
      expect(tokens.calls()).toBe(before + 1);
    } finally {
      await gateway.close();
    }
  });

  it('fails the call, and reaches no handler, with a certificate from another CA', async () => {
    const gateway = await gatewayWith({
      tls: { ca: certificates.caCert, cert: certificates.strangerCert, key: certificates.strangerKey },
    });
    try {
      const before = greeter.calls();
      const { body } = await gateway.query('web', SAY_HELLO);
      expect(body.data?.sayHello ?? null).toBeNull();
      expect(body.errors?.[0].extensions?.code).toBe('GRPC_UNAVAILABLE');
      expect(greeter.calls()).toBe(before);
    } finally {
      await gateway.close();
    }
  });
});
