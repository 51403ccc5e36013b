import { describe, expect, it } from 'vitest';
import { assertNever } from './assert-never.ts';

describe('assertNever', () => {
  it('throws a TypeError for an unexpected variant', () => {
    expect(() => assertNever({ kind: 'mystery' } as never)).toThrow(TypeError);
  });
});
