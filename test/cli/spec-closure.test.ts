import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectSpecClosure, type SpecClosureOptions } from '../../src/cli/spec-closure';
import { FIXTURES, REPO_ROOT } from '../helpers/test-gateway';
import { startSpecServer } from '../fixtures/sources-add/scratch-project';

const SPLIT = join(REPO_ROOT, 'test/fixtures/sources-add/split-up');
const limits = { timeoutMs: 10_000, maxBytes: 1_000_000, maxFiles: 50 };
const collect = (options: Omit<SpecClosureOptions, keyof typeof limits> & Partial<typeof limits>) =>
  collectSpecClosure({ ...limits, ...options });

describe('the closure of a spec: every file it references, laid out to resolve in the copy', () => {
  it('OpenAPI: follows external $refs, also up a folder, and keeps the layout below the shared folder', async () => {
    const closure = await collect({ kind: 'openapi', location: join(SPLIT, 'api/openapi.yaml') });
    expect(closure.entry).toBe('api/openapi.yaml');
    expect([...closure.files.keys()]).toEqual(['api/openapi.yaml', 'common/schemas.yaml', 'common/sizes.yaml']);
    expect(closure.files.get('common/sizes.yaml')).toEqual(readFileSync(join(SPLIT, 'common/sizes.yaml')));
    expect(closure.remote).toEqual([]);
  });

  it('WSDL: follows xsd:import schemaLocation', async () => {
    const closure = await collect({ kind: 'soap', location: join(FIXTURES, 'soap/CyberSourceTransaction_1.26.wsdl') });
    expect([...closure.files.keys()]).toEqual(['CyberSourceTransaction_1.26.wsdl', 'CyberSourceTransaction_1.26.xsd']);
  });

  it('proto: imports by their import path, the well-known types left to protobufjs', async () => {
    const closure = await collect({
      kind: 'grpc',
      location: join(FIXTURES, 'grpc/channelz.proto'),
      includeDirs: [join(FIXTURES, 'grpc')],
    });
    // channelz imports google/protobuf/{any,duration,timestamp,wrappers}: all built in.
    expect([...closure.files.keys()]).toEqual(['channelz.proto']);
  });

  it('a URL: the files come from the same server, named by their path', async () => {
    const server = await startSpecServer({
      '/specs/v1/api/openapi.yaml': join(SPLIT, 'api/openapi.yaml'),
      '/specs/v1/common/schemas.yaml': join(SPLIT, 'common/schemas.yaml'),
      '/specs/v1/common/sizes.yaml': join(SPLIT, 'common/sizes.yaml'),
    });
    try {
      const closure = await collect({ kind: 'openapi', location: `${server.url}/specs/v1/api/openapi.yaml` });
      expect([...closure.files.keys()]).toEqual(['api/openapi.yaml', 'common/schemas.yaml', 'common/sizes.yaml']);
      expect(server.requests).toEqual([
        '/specs/v1/api/openapi.yaml',
        '/specs/v1/common/schemas.yaml',
        '/specs/v1/common/sizes.yaml',
      ]);
    } finally {
      await server.close();
    }
  });

  it('a reference cycle is read once per file', async () => {
    const server = await startSpecServer({
      '/a.yaml': (_req, res) => res.end("openapi: 3.0.0\nx: { $ref: './b.yaml#/y' }\n"),
      '/b.yaml': (_req, res) => res.end("y: { $ref: './a.yaml#/x' }\n"),
    });
    try {
      const closure = await collect({ kind: 'openapi', location: `${server.url}/a.yaml` });
      expect([...closure.files.keys()]).toEqual(['a.yaml', 'b.yaml']);
      expect(server.requests).toEqual(['/a.yaml', '/b.yaml']);
    } finally {
      await server.close();
    }
  });

  describe('refuses, with one line', () => {
    let server: Awaited<ReturnType<typeof startSpecServer>>;
    beforeAll(async () => {
      server = await startSpecServer({
        '/silent.yaml': () => undefined, // never answers
        '/huge.yaml': (_req, res) => {
          res.writeHead(200, { 'content-length': String(50_000_000) });
          res.write('openapi: 3.0.0\n');
        },
        '/endless.yaml': (_req, res) => {
          // No content-length: counted as it arrives, cut at the limit.
          res.writeHead(200);
          const chunk = Buffer.alloc(64 * 1024, 'a');
          const pump = () => {
            while (res.write(chunk));
            res.once('drain', pump);
          };
          pump();
          res.on('close', () => res.removeAllListeners('drain'));
        },
        '/elsewhere.yaml': (_req, res) => res.end("openapi: 3.0.0\nx: { $ref: 'http://127.0.0.2:9/other.yaml#/y' }\n"),
        '/slash.yaml': (_req, res) => res.end("openapi: 3.0.0\nx: { $ref: './a%2Fb.yaml#/y' }\n"),
        '/a%2Fb.yaml': (_req, res) => res.end('y: 1\n'),
        '/nul.yaml': (_req, res) => res.end("openapi: 3.0.0\nx: { $ref: './a%00b.yaml#/y' }\n"),
        '/bad.wsdl': (_req, res) => res.end('<definitions><types></definitions>'),
        '/many.yaml': (req, res) => {
          const index = Number(/\d+/.exec(req.url ?? '')?.[0] ?? 0);
          res.end(`openapi: 3.0.0\nx: { $ref: './many.yaml?${index + 1}' }\n`);
        },
      });
    });
    afterAll(() => server?.close());

    it.each([
      [
        'a URL that never answers',
        '/silent.yaml',
        'openapi',
        /^http:\/\/127\.0\.0\.1:\d+\/silent\.yaml: no complete answer within 300 ms$/,
      ],
      ['a 404', '/missing.yaml', 'openapi', /\/missing\.yaml: HTTP 404$/],
      [
        'a declared size over the limit',
        '/huge.yaml',
        'openapi',
        /\/huge\.yaml: 50000000 bytes, over the 1000000-byte limit/,
      ],
      ['an undeclared size over the limit', '/endless.yaml', 'openapi', /\/endless\.yaml: over the 1000000-byte limit/],
      [
        'a $ref to another server',
        '/elsewhere.yaml',
        'openapi',
        /^http:\/\/127\.0\.0\.2:9\/other\.yaml: referenced from .* but on another server; copy it by hand$/,
      ],
      [
        'a path segment hiding a slash',
        '/slash.yaml',
        'openapi',
        /a%2Fb\.yaml: cannot be saved as a file \(path segment "a%2Fb\.yaml"\)$/,
      ],
      ['a path segment hiding a NUL', '/nul.yaml', 'openapi', /a%00b\.yaml: cannot be saved as a file/],
      ['XML that is not well-formed', '/bad.wsdl', 'soap', /\/bad\.wsdl: not well-formed XML: /],
    ] as const)('%s', async (_case, path, kind, message) => {
      await expect(collect({ kind, location: `${server.url}${path}`, timeoutMs: 300 })).rejects.toThrow(message);
    });

    it('more files than the limit', async () => {
      await expect(collect({ kind: 'openapi', location: `${server.url}/many.yaml`, maxFiles: 5 })).rejects.toThrow(
        /\/many\.yaml: references more than 5 files; copy the spec by hand$/,
      );
    });

    it('a proto import found nowhere', async () => {
      await expect(
        collect({
          kind: 'grpc',
          location: join(FIXTURES, 'grpc/examples/internal/proto/examplepb/echo_service.proto'),
        }),
      ).rejects.toThrow(/echo_service\.proto: import "examples\/internal\/proto\/sub\/message\.proto" not found in /);
    });

    it('a local file that is not there', async () => {
      await expect(collect({ kind: 'openapi', location: join(SPLIT, 'nope.yaml') })).rejects.toThrow(
        `${join(SPLIT, 'nope.yaml')}: not found`,
      );
    });
  });
});
