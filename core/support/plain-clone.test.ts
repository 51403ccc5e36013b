import { describe, expect, it } from 'vitest';
import { copyPlain } from './plain-clone.ts';

describe('copyPlain', () => {
  it('copies nested records and arrays so mutating the copy leaves the original alone', () => {
    const original = { a: 1, s: 'x', n: null, u: undefined, nested: { list: [1, { deep: true }] } };
    const copy = copyPlain(original);
    expect(copy).toStrictEqual(original);
    copy.nested.list.push(2);
    (copy.nested.list[1] as { deep: boolean }).deep = false;
    copy.a = 2;
    expect(original).toStrictEqual({
      a: 1,
      s: 'x',
      n: null,
      u: undefined,
      nested: { list: [1, { deep: true }] },
    });
  });

  it('shares frozen parts, which nobody can mutate', () => {
    const tokens = Object.freeze(['alpha', 'beta']);
    const copy = copyPlain({ tokens, other: ['x'] });
    expect(copy.tokens).toBe(tokens);
    expect(copyPlain(tokens)).toBe(tokens);
  });

  it('keeps a data key named __proto__ as data', () => {
    const parsed = JSON.parse('{"__proto__":{"polluted":true},"k":1}') as Record<string, unknown>;
    const copy = copyPlain(parsed);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'k']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('falls back to structuredClone for non-plain values', () => {
    const at = new Date(0);
    const copy = copyPlain({ at, map: new Map([['k', 1]]) });
    expect(copy.at).not.toBe(at);
    expect(copy.at.getTime()).toBe(0);
    expect(copy.map.get('k')).toBe(1);
  });
});
