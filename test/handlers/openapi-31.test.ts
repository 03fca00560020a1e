import { join } from 'node:path';
import { printSchema, validateSchema } from 'graphql';
import { Registry } from 'prom-client';
import { CallCounter } from '../../demo/call-counter';
import { startCatalogBackend, type CatalogBackend } from '../../demo/catalog-backend';
import { readBody, sendJson, startHttpBackend, type RunningBackend } from '../../demo/http-backend';
import { openApiHandler } from '../../src/handlers/openapi/openapi-handler';
import { createSilentLogger } from '../../src/core/logger';
import { FIXTURES, REPO_ROOT, startTestGateway } from '../helpers/test-gateway';

/** Issue 18: OpenAPI 3.1 specs load, print and serve; what cannot map degrades with a warning, never fails the source. */
const CONSTRUCTS = './test/fixtures/openapi-31/constructs.yaml';

const load = (spec: string) =>
  openApiHandler.load(
    { name: 'fixture', kind: 'openapi', spec, endpoint: 'http://127.0.0.1:9' },
    { configDir: REPO_ROOT, logger: createSilentLogger(), metrics: new Registry() },
  );

describe('OpenAPI 3.1 constructs against a real backend', () => {
  let backend: RunningBackend;
  let catalog: CatalogBackend;
  let received: unknown;

  beforeAll(async () => {
    catalog = await startCatalogBackend();
    backend = await startHttpBackend(
      async (req, res) => {
        received = JSON.parse(await readBody(req));
        sendJson(res, 200, {
          settings: { theme: 'dark' },
          nickname: null,
          n: null,
          color: 'red',
          shade: 'green',
          tint: null,
        });
      },
      {},
      new CallCounter(),
      new Map(),
    );
  });
  afterAll(async () => {
    await Promise.all([backend?.close(), catalog?.close()]);
  });

  it('loads with a warning for each default GraphQL cannot express, and prints', async () => {
    const source = await load(join(REPO_ROOT, CONSTRUCTS));
    try {
      expect(validateSchema(source.schema)).toEqual([]);
      expect(() => printSchema(source.schema)).not.toThrow();
      expect(source.warnings).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/\.settings: default \{\} cannot be expressed in GraphQL; dropped/),
        ]),
      );
    } finally {
      await source.close?.();
    }
  });

  it('composes with the demo, serves introspection and calls the upstream without inventing defaults', async () => {
    const gateway = await startTestGateway({
      sources: [
        { name: 'catalog', kind: 'openapi', spec: './sources/catalog/openapi.yaml', endpoint: catalog.url },
        { name: 'things', kind: 'openapi', spec: CONSTRUCTS, endpoint: backend.url },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
    try {
      const introspection = await gateway.query('web', { query: '{ __schema { types { name } } }' });
      expect(introspection.body.errors).toBeUndefined();
      const { body } = await gateway.query('web', {
        query:
          'mutation { createThing(input: { nickname: "x", settings: { a: 1 } }) { settings nickname n color shade tint } }',
      });
      expect(body).toEqual({
        data: {
          createThing: {
            settings: { theme: 'dark' },
            nickname: null,
            n: null,
            color: 'red',
            shade: 'green',
            tint: null,
          },
        },
      });
      // tags keeps its printable default ([]); settings' default {} was dropped, and the client's value is sent as is.
      expect(received).toEqual({ nickname: 'x', settings: { a: 1 }, tags: [] });
    } finally {
      await gateway.close();
    }
  });
});

describe('OpenAPI 3.1 nullable unions', () => {
  it('types anyOf/oneOf [X, {type: null}] as a nullable X (here the enum Color), not String', async () => {
    const source = await load(join(REPO_ROOT, CONSTRUCTS));
    try {
      const response = source.schema.getMutationType()!.getFields().createThing.type.toString();
      const fields = (source.schema.getType(response) as import('graphql').GraphQLObjectType).getFields();
      expect([fields.shade.type.toString(), fields.tint.type.toString()]).toEqual(['Color', 'Color']);
    } finally {
      await source.close?.();
    }
  });
});

describe('public OpenAPI 3.1 specs (test/fixtures/real/openapi)', () => {
  let catalog: CatalogBackend;
  beforeAll(async () => {
    catalog = await startCatalogBackend();
  });
  afterAll(() => catalog?.close());

  it.each([
    ['discourse-openapi.yml', 93],
    ['redocly-museum.yaml', 8],
  ])('%s loads, composes with the demo and serves introspection', async (file, operations) => {
    const source = await load(join(FIXTURES, 'openapi', file));
    try {
      expect(validateSchema(source.schema)).toEqual([]);
      const fields =
        Object.keys(source.schema.getQueryType()?.getFields() ?? {}).length +
        Object.keys(source.schema.getMutationType()?.getFields() ?? {}).length;
      expect(fields).toBe(operations);
    } finally {
      await source.close?.();
    }
    const gateway = await startTestGateway({
      sources: [
        { name: 'catalog', kind: 'openapi', spec: './sources/catalog/openapi.yaml', endpoint: catalog.url },
        {
          name: 'public',
          kind: 'openapi',
          spec: `./test/fixtures/real/openapi/${file}`,
          endpoint: 'http://127.0.0.1:9',
        },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
    try {
      const { body } = await gateway.query('web', {
        query: '{ __schema { queryType { name } types { name } } getCustomer(id: "1") { name } }',
      });
      expect(body.errors).toBeUndefined();
      expect(body.data?.getCustomer).toEqual({ name: 'Customer 1' });
    } finally {
      await gateway.close();
    }
  });
});
