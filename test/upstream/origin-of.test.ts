import { originOf } from '../../src/upstream/create-http-client';

/** originOf remembers origins per scheme and authority: it must answer as `new URL(url).origin` does, hostile URLs included. */
describe('originOf', () => {
  const sameAsUrl = (url: string) => {
    let expected: string | undefined;
    try {
      expected = new URL(url).origin;
    } catch {
      expected = undefined;
    }
    // Twice: the second answer comes from the memory.
    for (let round = 0; round < 2; round++) {
      if (expected === undefined) expect(() => originOf(url)).toThrow('Invalid URL');
      else expect(originOf(url)).toBe(expected);
    }
  };

  it.each([
    'http://127.0.0.1:4001/users/1',
    'http://127.0.0.1:4001',
    'http://127.0.0.1:80/x',
    'https://Example.COM:443/a?b#c',
    'http://user:secret@host:8080/path',
    'http://host\\evil.test/path',
    'http:\\\\host/path',
    'http:/host/path',
    'http://[::1]:4001/x',
    'http://xn--nxasmq6b.test/x',
    'http://h\u00e9.test/x',
    'http://host:99999/x',
    'http://host%2f.test/x',
    'not a url',
    'http://host?query',
    'http://host#hash',
    'HTTP://HOST:4001/x',
  ])('answers %p as new URL().origin', (url) => sameAsUrl(url));

  it('agrees with new URL().origin on 20,000 random URLs over a few authorities', () => {
    const authorities = ['http://127.0.0.1:4001', 'http://localhost', 'https://a.test:443', 'http://u:p@b.test:81'];
    const alphabet = 'ab/?#\\:@%.-_~[]1 \t';
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    for (let index = 0; index < 20_000; index++) {
      let rest = '';
      for (let length = Math.floor(random() * 12); length > 0; length--)
        rest += alphabet[Math.floor(random() * alphabet.length)];
      sameAsUrl(authorities[index % authorities.length] + rest);
    }
  });
});
