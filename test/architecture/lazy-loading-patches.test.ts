import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readFileOrUrl } from '@graphql-mesh/utils';
import { z } from 'zod';

const REPO_ROOT = resolve(__dirname, '../..');

/** The modules under node_modules/<folder> that `require(name)` loads, by file name, in a fresh Node. */
function loadedWith(name: string, folder: string): string[] {
  const script = `require(${JSON.stringify(name)}); console.log(JSON.stringify(Object.keys(require.cache)))`;
  const files = JSON.parse(
    execFileSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8' }),
  ) as string[];
  return files.filter((file) => file.includes(`/node_modules/${folder}/`)).map((file) => file.split('/').pop()!);
}

/**
 * Patches that make a dependency load part of itself when used instead of at
 * every start (patches/zod, patches/@graphql-mesh+utils, patches/undici,
 * patches/graphql-scalars, patches/jose):
 * what they leave out must still work when asked for.
 */
describe('patches that load a dependency’s parts when used', () => {
  it('zod loads no locale but English, and z.locales still has them all', () => {
    expect(loadedWith('zod', 'zod/v4/locales')).toEqual(['en.cjs']);
    expect(z.string().safeParse(1).error?.issues[0]?.message).toBe('Invalid input: expected string, received number');
    expect(typeof z.locales.de).toBe('function');
    expect(typeof z.core.locales.fr).toBe('function');
  });

  describe('@graphql-mesh/utils', () => {
    const folder = mkdtempSync(join(tmpdir(), 'loom-mesh-utils-'));
    afterAll(() => rmSync(folder, { recursive: true, force: true }));
    const logger = { debug: () => undefined, warn: () => undefined } as never;

    it('loads js-yaml with the first YAML read, not with itself', () => {
      expect(loadedWith('@graphql-mesh/utils', 'js-yaml')).toEqual([]);
    });

    it('reads YAML and its !include as before', async () => {
      writeFileSync(join(folder, 'part.yaml'), 'title: included\n');
      writeFileSync(join(folder, 'spec.yaml'), 'openapi: 3.0.3\ninfo: !include part.yaml\nlist: [1, 2]\n');
      await expect(readFileOrUrl(join(folder, 'spec.yaml'), { cwd: folder, logger } as never)).resolves.toEqual({
        openapi: '3.0.3',
        info: { title: 'included' },
        list: [1, 2],
      });
    });

    it('still refuses malformed YAML with the parser’s reason', async () => {
      writeFileSync(join(folder, 'broken.yaml'), 'a: [1, 2\nb: {\n');
      await expect(readFileOrUrl(join(folder, 'broken.yaml'), { cwd: folder, logger } as never)).rejects.toThrow(
        /unexpected end|flow collection/,
      );
    });
  });

  describe('undici', () => {
    it('loads none of its WHATWG part (fetch, WebSocket, caches...) or mocks with itself', () => {
      expect(loadedWith('undici', 'undici/lib/web')).toEqual([]);
      expect(loadedWith('undici', 'undici/lib/mock')).toEqual([]);
    });

    it('gives the same exports when they are read', async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const undici = require('undici') as typeof import('undici');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      expect(undici.Headers).toBe((require('undici/lib/web/fetch/headers') as { Headers: unknown }).Headers);
      expect(new undici.Headers({ a: '1' }).get('a')).toBe('1');
      expect(typeof undici.MockAgent).toBe('function');
      expect(typeof undici.WebSocket).toBe('function');
      expect(typeof undici.caches.open).toBe('function');
      expect(Object.keys(undici)).toEqual(expect.arrayContaining(['fetch', 'Headers', 'EventSource', 'setCookie']));
      await expect((await undici.fetch('data:text/plain,hello')).text()).resolves.toBe('hello');
    });
  });

  describe('graphql-scalars', () => {
    it('loads a scalar’s module when the scalar is read, not all 71 with the package', () => {
      expect(loadedWith('graphql-scalars', 'graphql-scalars/cjs/scalars').length).toBeLessThan(3);
    });

    it('answers every resolver by name, as transport-rest looks them up', () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const scalars = require('graphql-scalars') as typeof import('graphql-scalars');
      const names = Object.keys(scalars.resolvers);
      expect(names).toHaveLength(71);
      expect('DateTime' in scalars.resolvers).toBe(true);
      for (const name of names) expect(scalars.resolvers[name as keyof typeof scalars.resolvers].name).toBe(name);
      expect(scalars.resolvers.DateTime).toBe(scalars.GraphQLDateTime);
      expect(scalars.GraphQLJSON.parseValue({ a: [1] })).toEqual({ a: [1] });
      expect(() => scalars.GraphQLEmailAddress.parseValue('not an address')).toThrow();
    });
  });

  describe('jose', () => {
    it('loads a part (JWS, JWE, JWT, keys) when it is first read, not all with the package', () => {
      expect(loadedWith('jose', 'jose/dist/node/cjs').length).toBeLessThan(10);
    });

    it('signs, verifies and refuses as before', async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const jose = require('jose') as typeof import('jose');
      const { publicKey, privateKey } = await jose.generateKeyPair('ES256');
      const jwk = { ...(await jose.exportJWK(publicKey)), alg: 'ES256' };
      const keys = jose.createLocalJWKSet({ keys: [jwk] });
      const token = await new jose.SignJWT({ sub: 'ada' })
        .setProtectedHeader({ alg: 'ES256' })
        .setExpirationTime('1m')
        .sign(privateKey);
      await expect(jose.jwtVerify(token, keys)).resolves.toMatchObject({ payload: { sub: 'ada' } });
      const refused = await jose.jwtVerify(`${token}x`, keys).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(jose.errors.JOSEError);
      expect((refused as { code: string }).code).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    });
  });
});
