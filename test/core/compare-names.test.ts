import { compareNames } from '../../src/core/compare-names';

/** A small deterministic generator (mulberry32): the same cases on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

describe('compareNames (localeCompare order without ICU)', () => {
  it('agrees with localeCompare on random identifier-like names', () => {
    const random = seeded(26);
    const alphabet = 'aAbBmMzZ0159_.-';
    const name = () =>
      Array.from({ length: Math.floor(random() * 7) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    const disagreements: string[] = [];
    for (let round = 0; round < 50_000; round++) {
      const [left, right] = [name(), name()];
      if (compareNames(left, right) !== Math.sign(left.localeCompare(right))) disagreements.push(`${left} ${right}`);
    }
    expect(disagreements).toEqual([]);
  });

  it('sorts names as localeCompare does, case and punctuation included', () => {
    const names = [
      'web',
      'Web',
      'mobile-v2',
      'mobile',
      'mobile_v2',
      'orders.OrderService',
      'orders.order',
      'iot',
      '2fa',
      '',
    ];
    expect([...names].sort(compareNames)).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });

  it('hands other strings (accents, spaces, symbols, very long names) to localeCompare', () => {
    for (const [left, right] of [
      ['été', 'ete'],
      ['a b', 'ab'],
      ['x+y', 'x-y'],
      ['Ärger', 'arg'],
      ['a'.repeat(10_000), `${'a'.repeat(9_999)}B`],
    ] as const)
      expect(compareNames(left, right)).toBe(Math.sign(left.localeCompare(right)));
  });
});
