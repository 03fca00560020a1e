import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { isInterfaceType, isUnionType, parse, printSchema, validateSchema, type GraphQLSchema } from 'graphql';
import { Registry } from 'prom-client';
import { openApiHandler } from '../../src/handlers/openapi/openapi-handler';
import { createSilentLogger } from '../../src/core/logger';
import type { LoadedSource } from '../../src/handlers/types';
import { FIXTURES, REPO_ROOT } from '../helpers/test-gateway';

const context = () => ({ configDir: REPO_ROOT, logger: createSilentLogger(), metrics: new Registry() });

async function load(spec: string, endpoint = 'http://127.0.0.1:9'): Promise<LoadedSource> {
  return openApiHandler.load({ name: 'fixture', kind: 'openapi', spec, endpoint }, context());
}

function rootFieldNames(schema: GraphQLSchema) {
  return {
    queries: Object.keys(schema.getQueryType()?.getFields() ?? {}),
    mutations: Object.keys(schema.getMutationType()?.getFields() ?? {}),
  };
}

describe('real-world OpenAPI specs (test/fixtures/real/openapi)', () => {
  // Operation counts from SOURCES.md: every operation becomes exactly one root field.
  const cases: Array<[file: string, operations: number]> = [
    ['swagger-petstore-3.yaml', 19],
    ['redoc-petstore-discriminator.yaml', 21],
    ['ory-kratos.json', 60],
    ['ory-hydra.json', 52],
    ['airflow-v1.yaml', 89],
  ];

  it.each(cases)('%s loads into a valid schema with one field per operation', async (file, operations) => {
    const source = await load(join(FIXTURES, 'openapi', file));
    try {
      expect(validateSchema(source.schema)).toEqual([]);
      const { queries, mutations } = rootFieldNames(source.schema);
      expect(queries.length + mutations.length).toBe(operations);
    } finally {
      await source.close?.();
    }
  });

  it('maps the redoc discriminator (allOf children of Pet) to an abstract type with Cat, Dog and HoneyBee', async () => {
    const source = await load(join(FIXTURES, 'openapi', 'redoc-petstore-discriminator.yaml'));
    try {
      const pet = source.schema.getType('Pet');
      expect(isInterfaceType(pet) || isUnionType(pet)).toBe(true);
      const possible = source.schema
        .getPossibleTypes(pet as never)
        .map((type) => type.name)
        .sort();
      expect(possible).toEqual(expect.arrayContaining(['Cat', 'Dog', 'HoneyBee']));
    } finally {
      await source.close?.();
    }
  });

  it('tolerates the JSON-Schema tuple quirk of User.addresses (typed as a list of JSON)', async () => {
    const source = await load(join(FIXTURES, 'openapi', 'redoc-petstore-discriminator.yaml'));
    try {
      expect(printSchema(source.schema)).toMatch(/addresses: \[JSON\]/);
    } finally {
      await source.close?.();
    }
  });

  it('executes a petstore operation against a real backend speaking that spec', async () => {
    const server: Server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify([
          { id: 7, name: 'Rex', status: req.url?.includes('status=sold') ? 'sold' : 'available', photoUrls: [] },
        ]),
      );
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const source = await load(
      join(FIXTURES, 'openapi', 'swagger-petstore-3.yaml'),
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    );
    try {
      const result = await source.executor({
        document: parse('{ findPetsByStatus(status: sold) { id name status } }'),
      });
      expect(result).toEqual({ data: { findPetsByStatus: [{ id: 7, name: 'Rex', status: 'sold' }] } });
    } finally {
      await source.close?.();
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });
});

describe('OpenAPI spec locations', () => {
  it('resolves $refs across files from a path', async () => {
    const source = await load(join(REPO_ROOT, 'test/fixtures/openapi-split/api.yaml'));
    try {
      expect(printSchema(source.schema)).toContain('size: Size!');
    } finally {
      await source.close?.();
    }
  });

  it('loads a spec from an http URL, with $refs across files resolved against the URL', async () => {
    const dir = join(REPO_ROOT, 'test/fixtures/openapi-split');
    const server = createServer((req, res) => {
      try {
        const body = readFileSync(join(dir, (req.url ?? '/').replace(/^\//, '').replace(/\.\./g, '')));
        res.writeHead(200, { 'content-type': 'application/yaml' });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api.yaml`;
    const source = await load(url);
    try {
      expect(printSchema(source.schema)).toContain('size: Size!');
    } finally {
      await source.close?.();
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });

  it('generates the same SDL for the demo catalog spec every time (snapshot)', async () => {
    const source = await load(join(REPO_ROOT, 'sources/catalog/openapi.yaml'));
    try {
      expect(printSchema(source.schema)).toMatchSnapshot();
    } finally {
      await source.close?.();
    }
  });
});
