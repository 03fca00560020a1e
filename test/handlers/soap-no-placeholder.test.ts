import { CallCounter } from '../../demo/call-counter';
import { startCatalogBackend, type CatalogBackend } from '../../demo/catalog-backend';
import { readBody, startHttpBackend, type RunningBackend } from '../../demo/http-backend';
import { startTestGateway } from '../helpers/test-gateway';

/** Issue 18: a source with no read operation adds no placeholder field (`_sourceInfo`) to the public graph. */
describe('SOAP source without read operations (calculator.wsdl)', () => {
  let calculator: RunningBackend;
  let catalog: CatalogBackend;

  beforeAll(async () => {
    catalog = await startCatalogBackend();
    // The DNE Online calculator as it answers: SOAP 1.1, document/literal wrapped.
    calculator = await startHttpBackend(
      async (req, res) => {
        const body = await readBody(req);
        const [a, b] = [/<(?:\w+:)?intA>(-?\d+)</.exec(body)?.[1], /<(?:\w+:)?intB>(-?\d+)</.exec(body)?.[1]].map(
          Number,
        );
        res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
        res.end(
          `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><AddResponse xmlns="http://tempuri.org/"><AddResult>${a + b}</AddResult></AddResponse></soap:Body></soap:Envelope>`,
        );
      },
      {},
      new CallCounter(),
      new Map(),
    );
  });
  afterAll(async () => {
    await Promise.all([calculator?.close(), catalog?.close()]);
  });

  it('has no _sourceInfo in the gateway and still executes its mutations', async () => {
    const gateway = await startTestGateway({
      sources: [
        { name: 'catalog', kind: 'openapi', spec: './sources/catalog/openapi.yaml', endpoint: catalog.url },
        {
          name: 'calculator',
          kind: 'soap',
          wsdl: './test/fixtures/real/soap/calculator.wsdl',
          endpoint: calculator.url,
        },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
    try {
      const { body: schema } = await gateway.query('web', { query: '{ __schema { queryType { fields { name } } } }' });
      expect(schema.data?.__schema.queryType.fields.map((field: { name: string }) => field.name)).not.toContain(
        '_sourceInfo',
      );
      const { body } = await gateway.query('web', { query: 'mutation { add(intA: 2, intB: 3) }' });
      expect(body).toEqual({ data: { add: 5 } });
    } finally {
      await gateway.close();
    }
  });
});
