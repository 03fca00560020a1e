import { join } from 'node:path';
import { OverlappingFieldsCanBeMergedRule, parse, validate } from 'graphql';
import { Registry } from 'prom-client';
import { CallCounter } from '../../demo/call-counter';
import { sendJson, startHttpBackend, type RunningBackend } from '../../demo/http-backend';
import { openApiHandler } from '../../src/handlers/openapi/openapi-handler';
import { createSilentLogger } from '../../src/core/logger';
import { FIXTURES, REPO_ROOT, startTestGateway, type TestGateway } from '../helpers/test-gateway';

/** Issue 18: a oneOf + discriminator whose branches pin the discriminator property (const / one-value enum). */
describe('OpenAPI oneOf with a discriminator against a real backend', () => {
  let backend: RunningBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    const pets: Record<string, unknown> = {
      '1': { kind: 'cat', name: 'Tom', lives: 9, size: 'small' },
      '2': { kind: 'dog', name: 'Rex', goodBoy: true, size: 'large' },
    };
    backend = await startHttpBackend(
      (_req, res, url) => {
        const pet = pets[url.pathname.split('/').pop() ?? ''];
        return pet ? sendJson(res, 200, pet) : sendJson(res, 404, { message: 'no such pet' });
      },
      {},
      new CallCounter(),
      new Map(),
    );
    gateway = await startTestGateway({
      sources: [
        {
          name: 'pets',
          kind: 'openapi',
          spec: './test/fixtures/openapi-31/pets-discriminator.yaml',
          endpoint: backend.url,
        },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await backend?.close();
  });

  it('selects the discriminator property in every branch of one query (no FieldsConflict)', async () => {
    const selection = '{ __typename ... on Cat { kind name lives } ... on Dog { kind name goodBoy } }';
    const { body } = await gateway.query('web', {
      query: `{ cat: getPet(id: "1") ${selection} dog: getPet(id: "2") ${selection} }`,
    });
    expect(body).toEqual({
      data: {
        cat: { __typename: 'Cat', kind: 'cat', name: 'Tom', lives: 9 },
        dog: { __typename: 'Dog', kind: 'dog', name: 'Rex', goodBoy: true },
      },
    });
  });

  it('gives the discriminator property one type across branches', async () => {
    const { body } = await gateway.query('web', {
      query:
        '{ cat: __type(name: "Cat") { fields { name type { name ofType { name } } } } dog: __type(name: "Dog") { fields { name type { name ofType { name } } } } }',
    });
    const kindType = (type: 'cat' | 'dog') =>
      body.data?.[type].fields.find((field: { name: string }) => field.name === 'kind').type;
    expect(kindType('cat')).toEqual(kindType('dog'));
  });
});

describe('discriminated oneOf in a real public spec', () => {
  it('ory-kratos continueWith: the `action` discriminator merges across branches', async () => {
    const source = await openApiHandler.load(
      {
        name: 'kratos',
        kind: 'openapi',
        spec: join(FIXTURES, 'openapi/ory-kratos.json'),
        endpoint: 'http://127.0.0.1:9',
      },
      { configDir: REPO_ROOT, logger: createSilentLogger(), metrics: new Registry() },
    );
    try {
      const fragment = parse(
        'fragment next on continueWith { ... on continueWithVerificationUi { action } ... on continueWithSetOrySessionToken { action } ... on continueWithRedirectBrowserTo { action } }',
      );
      expect(validate(source.schema, fragment, [OverlappingFieldsCanBeMergedRule])).toEqual([]);
    } finally {
      await source.close?.();
    }
  });
});
