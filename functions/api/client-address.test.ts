import { describe, expect, it } from 'vitest';
import type { HttpRequest } from '../http/http-types.ts';
import { clientAddress } from './client-address.ts';

function request(forwardedFor: string | undefined, remoteAddress: string | undefined): HttpRequest {
  return {
    method: 'POST',
    path: '/auth/login',
    query: new URLSearchParams(),
    rawQuery: '',
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
    rawBody: Buffer.alloc(0),
    params: {},
    ...(remoteAddress === undefined ? {} : { remoteAddress }),
  };
}

describe('clientAddress', () => {
  it.each([
    // hops, X-Forwarded-For, socket peer → client
    [0, '6.6.6.6', '192.0.2.10', '192.0.2.10'],
    [0, undefined, '::ffff:192.0.2.10', '192.0.2.10'],
    [0, undefined, undefined, 'unknown'],
    [1, 'spoofed, 203.0.113.7', '169.254.1.1', '203.0.113.7'],
    [1, '203.0.113.7', '169.254.1.1', '203.0.113.7'],
    [1, undefined, '192.0.2.10', '192.0.2.10'],
    [1, ' , ', '192.0.2.10', '192.0.2.10'],
    [2, 'spoofed, 203.0.113.7, 35.191.0.1', '169.254.1.1', '203.0.113.7'],
    [2, '203.0.113.7, 35.191.0.1', '169.254.1.1', '203.0.113.7'],
    [2, '203.0.113.7', '169.254.1.1', '203.0.113.7'],
    [3, 'a, b', '169.254.1.1', 'a'],
    [1, '2001:DB8::1', undefined, '2001:db8::1'],
    [1, 'x'.repeat(500), undefined, 'x'.repeat(64)],
  ])('hops %i, X-Forwarded-For %j, peer %j → %j', (hops, forwardedFor, peer, expected) => {
    expect(clientAddress(request(forwardedFor, peer), hops)).toBe(expected);
  });

  it('with the default (0) hops, rotating X-Forwarded-For never changes the address', () => {
    const seen = new Set(
      Array.from({ length: 20 }, (_, i) =>
        clientAddress(request(`10.0.0.${i}, 10.1.0.${i}`, '192.0.2.10'), 0),
      ),
    );
    expect([...seen]).toEqual(['192.0.2.10']);
  });
});
