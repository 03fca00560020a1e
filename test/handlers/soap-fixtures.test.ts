import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { printSchema, validateSchema } from 'graphql';
import { Registry } from 'prom-client';
import { soapHandler } from '../../src/handlers/soap/soap-handler';
import { createSilentLogger } from '../../src/core/logger';
import type { LoadedSource } from '../../src/handlers/types';
import { FIXTURES, REPO_ROOT } from '../helpers/test-gateway';

const SOAP = join(FIXTURES, 'soap');
const context = { configDir: REPO_ROOT, logger: createSilentLogger(), metrics: new Registry() };

async function withSource<T>(
  wsdl: string,
  use: (source: LoadedSource, sdl: string) => T,
  options: { soapVersion?: '1.1' | '1.2' } = {},
): Promise<T> {
  const source = await soapHandler.load(
    { name: 'fixture', kind: 'soap', wsdl, endpoint: 'http://127.0.0.1:9/soap', ...options },
    context,
  );
  try {
    // A WSDL with no read operation has no Query type of its own (the gateway's comes from other sources).
    expect(
      validateSchema(source.schema)
        .map((error) => error.message)
        .filter((message) => message !== 'Query root type must be provided.'),
    ).toEqual([]);
    return use(source, printSchema(source.schema));
  } finally {
    await source.close?.();
  }
}

const rootFields = (source: LoadedSource) => [
  ...Object.keys(source.schema.getQueryType()?.getFields() ?? {}),
  ...Object.keys(source.schema.getMutationType()?.getFields() ?? {}),
];

describe('real-world WSDLs (test/fixtures/real/soap)', () => {
  it('calculator.wsdl: 4 document/literal operations, wrappers unwrapped to Int', async () => {
    await withSource(join(SOAP, 'calculator.wsdl'), (source, sdl) => {
      expect(rootFields(source).sort()).toEqual(['add', 'divide', 'multiply', 'subtract']);
      expect(sdl).toContain('add(intA: Int!, intB: Int!): Int');
    });
  });

  it('calculator.wsdl: the SOAP 1.2 binding can be chosen instead', async () => {
    await withSource(join(SOAP, 'calculator.wsdl'), (source) => expect(rootFields(source)).toContain('add'), {
      soapVersion: '1.2',
    });
  });

  it('country-info.wsdl: 21 operations, read-like ones on Query, ArrayOf… types as lists, unprefixed default namespace', async () => {
    await withSource(join(SOAP, 'country-info.wsdl'), (source, sdl) => {
      expect(rootFields(source)).toHaveLength(21);
      expect(Object.keys(source.schema.getQueryType()!.getFields())).toEqual(
        expect.arrayContaining(['listOfContinentsByName', 'listOfCountryNamesByCode']),
      );
      expect(sdl).toContain('listOfContinentsByName: [TContinent]');
      expect(sdl).toMatch(/type TCountryInfo \{[^}]*Languages: ArrayOftLanguage!/s);
      expect(sdl).toMatch(/type ArrayOftLanguage \{\s*tLanguage: \[TLanguage\]/);
    });
  });

  it('rpc-encoded-soap12.wsdl: rpc/encoded on SOAP 1.2, type= parts, a part-less message, SOAP-ENC arrays', async () => {
    await withSource(join(SOAP, 'rpc-encoded-soap12.wsdl'), (source, sdl) => {
      expect(rootFields(source)).toHaveLength(13);
      expect(sdl).toContain('listFiles: ');
      expect(sdl).not.toMatch(/\bns\d+_|tns_|xsd_/);
    });
  });

  it('afip-logincms.wsdl: two schemas, one importing the other, with a declared fault', async () => {
    await withSource(join(SOAP, 'afip-logincms.wsdl'), (source, sdl) => {
      expect(rootFields(source)).toContain('loginCms');
      expect(sdl).toContain('loginCms(in0: String!)');
    });
  });

  it('CyberSourceTransaction_1.26.wsdl: types from an external XSD (relative schemaLocation)', async () => {
    await withSource(join(SOAP, 'CyberSourceTransaction_1.26.wsdl'), (source, sdl) => {
      expect(rootFields(source)).toContain('runTransaction');
      expect(sdl).toMatch(/runTransaction\(merchantID: String, merchantReferenceCode: String/);
      expect(sdl.length).toBeGreaterThan(20_000);
    });
  });

  it('fails with one line naming the source for a file that is not a WSDL', async () => {
    await expect(
      soapHandler.load({ name: 'fixture', kind: 'soap', wsdl: join(SOAP, 'CyberSourceTransaction_1.26.xsd') }, context),
    ).rejects.toThrow(
      /^source "fixture": cannot load WSDL .*CyberSourceTransaction_1\.26\.xsd: .*is not a WSDL 1\.1 document \(root element <schema>\)$/,
    );
  });
});

describe('WSDL locations', () => {
  it('loads a WSDL and its relative XSD import from an http URL', async () => {
    const server = createServer((req, res) => {
      const name = (req.url ?? '/').replace(/^\//, '');
      if (!['CyberSourceTransaction_1.26.wsdl', 'CyberSourceTransaction_1.26.xsd'].includes(name))
        return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/xml' }).end(readFileSync(join(SOAP, name)));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/CyberSourceTransaction_1.26.wsdl`;
      await withSource(url, (source, sdl) => {
        expect(rootFields(source)).toContain('runTransaction');
        expect(sdl).toMatch(/runTransaction\(merchantID: String, merchantReferenceCode: String/);
      });
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });
});

describe('demo billing WSDL', () => {
  it('generates the same SDL every time (snapshot)', async () => {
    await withSource(join(REPO_ROOT, 'sources/billing/billing.wsdl'), (_source, sdl) => expect(sdl).toMatchSnapshot());
  });
});
