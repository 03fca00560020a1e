import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveYoga, type GraphqlBackend } from '../fixtures/compose/serve-yoga';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';

const SDL =
  'type Query { note(id: ID!): Note }\ntype Mutation { addNote(text: String!): Note! }\ntype Note { id: ID! text: String! }\n';
const BFF = './test/fixtures/bff/open.ts';

describe('a GraphQL source: mutations, forwarded headers, upstream HTTP failures', () => {
  let notes: GraphqlBackend;
  let seen: IncomingHttpHeaders[];
  let gateway: TestGateway;

  beforeAll(async () => {
    seen = [];
    notes = await serveYoga(SDL, (calls) => ({
      Query: {
        note: (_root: unknown, { id }: { id: string }, context: { request: Request }) => (
          calls.record('note'),
          seen.push(Object.fromEntries(context.request.headers)),
          { id, text: `note ${id}` }
        ),
      },
      Mutation: {
        addNote: (_root: unknown, { text }: { text: string }) => (calls.record('addNote'), { id: 'n1', text }),
      },
    }));
    gateway = await startTestGateway({
      sources: [
        {
          name: 'notes',
          kind: 'graphql',
          endpoint: notes.url,
          headers: { 'x-api-key': 'static-key' },
          forwardHeaders: ['x-tenant'],
        },
      ],
      bffs: { web: BFF },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await notes?.close();
  });

  it('sends mutations to the remote endpoint', async () => {
    const { status, body } = await gateway.query('web', { query: 'mutation { addNote(text: "hi") { id text } }' });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { addNote: { id: 'n1', text: 'hi' } } });
    expect(notes.calls.count('addNote')).toBe(1);
  });

  it('adds the static headers and forwards only the listed client headers', async () => {
    seen.length = 0;
    const { body } = await gateway.query(
      'web',
      { query: '{ note(id: "7") { text } }' },
      { 'x-tenant': 'acme', 'x-secret': 'nope' },
    );
    expect(body).toEqual({ data: { note: { text: 'note 7' } } });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ 'x-api-key': 'static-key', 'x-tenant': 'acme' });
    expect(seen[0]['x-secret']).toBeUndefined();
  });
});

describe('a GraphQL source whose endpoint answers without GraphQL JSON', () => {
  let server: Server;
  let answer: { status: number; body: string };
  let hits: number;
  let gateway: TestGateway;

  beforeAll(async () => {
    hits = 0;
    answer = { status: 502, body: 'bad gateway' };
    server = createServer((_request, response) => {
      hits += 1;
      response.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const dir = mkdtempSync(join(tmpdir(), 'loom-graphql-'));
    const sdl = join(dir, 'notes.graphql');
    writeFileSync(sdl, SDL);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    gateway = await startTestGateway({
      sources: [{ name: 'notes', kind: 'graphql', endpoint: url, sdl }],
      bffs: { web: BFF },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    server?.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  });

  it('maps a non-2xx answer to UPSTREAM_HTTP_ERROR on the field, with the source name and status', async () => {
    answer = { status: 502, body: 'bad gateway' };
    hits = 0;
    const { body } = await gateway.query('web', { query: '{ note(id: "1") { text } }' });
    expect(body.data).toEqual({ note: null });
    expect(
      body.errors?.map((error) => [
        error.path,
        error.extensions?.code,
        error.extensions?.source,
        error.extensions?.upstreamStatus,
      ]),
    ).toEqual([[['note'], 'UPSTREAM_HTTP_ERROR', 'notes', 502]]);
    expect(hits).toBeGreaterThan(0);
  });

  it('puts the error on every root field that needed the failed call, aliases included', async () => {
    answer = { status: 502, body: 'bad gateway' };
    const { body } = await gateway.query('web', {
      query: '{ first: note(id: "1") { text } second: note(id: "2") { text } }',
    });
    expect(body.data).toEqual({ first: null, second: null });
    expect(body.errors?.map((error) => error.path).sort()).toEqual([['first'], ['second']]);
  });

  it('maps an unreadable 200 answer to UPSTREAM_BAD_RESPONSE', async () => {
    answer = { status: 200, body: '<html>oops</html>' };
    const { body } = await gateway.query('web', { query: '{ note(id: "1") { text } }' });
    expect(body.data).toEqual({ note: null });
    expect(body.errors?.map((error) => [error.path, error.extensions?.code, error.extensions?.source])).toEqual([
      [['note'], 'UPSTREAM_BAD_RESPONSE', 'notes'],
    ]);
  });
});
