// parseRequestTarget and decodePathSegment: every request target gets an answer, none a throw.
import { describe, expect, it } from 'vitest';
import { decodePathSegment, parseRequestTarget } from './request-target.ts';

describe('parseRequestTarget', () => {
  it.each([
    ['/', { path: '/', search: '' }],
    ['/calls?status=active', { path: '/calls', search: '?status=active' }],
    ['/a/../b', { path: '/b', search: '' }],
    ['//a:99999/', { path: '//a:99999/', search: '' }],
    ['/%ZZ', { path: '/%ZZ', search: '' }],
    ['http://host/x?y', { path: '/x', search: '?y' }],
    [undefined, { path: '/', search: '' }],
  ])('parses %j', (raw, expected) => {
    expect(parseRequestTarget(raw)).toEqual(expected);
  });

  it.each(['*', 'example.com:443', 'http://[', 'http://a:99999/', 'ftp://host/x', ''])(
    'answers null for %j',
    (raw) => {
      expect(parseRequestTarget(raw)).toBeNull();
    },
  );
});

describe('decodePathSegment', () => {
  it.each([
    ['a%20b', 'a b'],
    ['%ZZ', null],
    ['%E0%A4', null],
    ['plain', 'plain'],
  ])('decodes %j', (raw, expected) => {
    expect(decodePathSegment(raw)).toBe(expected);
  });
});
