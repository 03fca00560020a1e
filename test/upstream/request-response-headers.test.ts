import { inspect } from 'node:util';
import { RequestResponse } from '../../src/upstream/request-as-response';

/** RequestResponse's headers are filled on first use: they must read exactly as an eagerly built Headers would. */
describe('RequestResponse headers', () => {
  const raw = { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'], 'x-empty': '', 'x-count': '3' };
  const eager = () => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(raw))
      for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
    return headers;
  };
  const answer = () => new RequestResponse(200, raw as never, Buffer.from('{}'));

  it('is a Headers and reads like one built eagerly, whichever method is called first', () => {
    const reads: Array<(headers: Headers) => unknown> = [
      (headers) => headers.get('Content-Type'),
      (headers) => headers.has('x-count'),
      (headers) => headers.getSetCookie(),
      (headers) => [...headers],
      (headers) => [...headers.entries()],
      (headers) => [...headers.keys()],
      (headers) => [...headers.values()],
      (headers) => {
        const seen: string[] = [];
        headers.forEach((value, name) => seen.push(`${name}=${value}`));
        return seen;
      },
    ];
    for (const read of reads) {
      const headers = answer().headers;
      expect(headers).toBeInstanceOf(Headers);
      expect(read(headers)).toEqual(read(eager()));
      expect([...headers]).toEqual([...eager()]);
    }
  });

  it('takes writes after the received headers, and a clone shares them', () => {
    const response = answer();
    response.headers.set('x-count', '4');
    response.headers.append('x-added', 'yes');
    response.headers.delete('x-empty');
    expect(response.headers.get('x-count')).toBe('4');
    expect(response.headers.get('x-added')).toBe('yes');
    expect(response.headers.has('x-empty')).toBe(false);
    expect(response.clone().headers.get('x-added')).toBe('yes');
  });

  it('shows the received headers when logged', () => {
    expect(inspect(answer().headers)).toContain('application/json');
  });

  it('stays empty for an answer without headers', () => {
    expect([...new RequestResponse(204, {} as never, Buffer.alloc(0)).headers]).toEqual([]);
  });
});
