// requestIdOf: the caller's X-Request-Id when well-formed, else a fresh UUID.
import { describe, expect, it } from 'vitest';
import { requestIdOf } from './request-id.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('requestIdOf', () => {
  it.each(['abc', 'req-1', '0f8fad5b-d9cb-469f-a165-70867728950e', 'a.b:c_d-e', 'x'.repeat(128)])(
    'keeps %s',
    (id) => expect(requestIdOf(id)).toBe(id),
  );

  it.each([undefined, '', 'has space', 'x'.repeat(129), 'line\nbreak', 'semi;colon', 'ünï'])(
    'replaces %j with a UUID',
    (id) => expect(requestIdOf(id)).toMatch(UUID),
  );

  it('takes the first of repeated headers', () => {
    expect(requestIdOf(['first', 'second'])).toBe('first');
  });
});
