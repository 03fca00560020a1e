import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { printSchema } from 'graphql';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';

/** Echoes SaveItem back with a nil comment and a square, the way a real service answers. */
const ANSWER =
  '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
  '<soap:Body><SaveItemResponse xmlns="urn:shapes"><item><label>box</label><comment xsi:nil="true"/><square>2.5</square>' +
  '<legacy><code xmlns="urn:other">7</code></legacy></item></SaveItemResponse></soap:Body></soap:Envelope>';

describe('SOAP shapes: xs:choice, one local name in two namespaces, xsi:nil both ways', () => {
  let server: Server;
  let gateway: TestGateway;
  let received = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received = Buffer.concat(chunks).toString('utf8');
        res.writeHead(200, { 'content-type': 'text/xml' }).end(ANSWER);
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    gateway = await startTestGateway({
      sources: [
        {
          name: 'shapes',
          kind: 'soap',
          wsdl: './test/fixtures/soap/shapes.wsdl',
          endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/shapes`,
        },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    server?.closeAllConnections();
    await new Promise((done) => server?.close(done));
  });

  it('types choice members as optional and keeps both Item types apart without namespace prefixes', () => {
    const sdl = printSchema(gateway.gateway.composed.schema);
    expect(sdl).toMatch(
      /type Item \{\s*label: String!\s*comment: String\s*circle: Float\s*square: Float\s*legacy: Item2\s*\}/,
    );
    expect(sdl).toMatch(/type Item2 \{\s*code: Int!\s*\}/);
    expect(sdl).not.toMatch(/urn|tns_|other_/);
  });

  it('sends null as xsi:nil, omits unset choice members, and reads xsi:nil back as null', async () => {
    const { body } = await gateway.query('web', {
      query:
        'mutation { saveItem(item: { label: "box", comment: null, square: 2.5, legacy: { code: 7 } }) { label comment circle square legacy { code } } }',
    });
    expect(body).toEqual({
      data: { saveItem: { label: 'box', comment: null, circle: null, square: 2.5, legacy: { code: 7 } } },
    });
    expect(received).toContain(
      '<ns0:item><ns0:label>box</ns0:label><ns0:comment xsi:nil="true"/><ns0:square>2.5</ns0:square><ns0:legacy><ns1:code>7</ns1:code></ns0:legacy></ns0:item>',
    );
    expect(received).toContain('xmlns:ns1="urn:other"');
    expect(received).not.toContain('circle');
  });
});
