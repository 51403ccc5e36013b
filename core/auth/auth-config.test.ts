// parseAuthConfig: the maximum session age, its default and bounds, in both key modes.
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_SESSION_SECS, parseAuthConfig } from './auth-config.ts';

const SECRET = 's'.repeat(40);

describe('parseAuthConfig', () => {
  it('defaults the maximum session age to 12 hours', () => {
    const config = parseAuthConfig({ JWT_SECRET: SECRET });
    expect(config.maxSessionSecs).toBe(43_200);
    expect(DEFAULT_MAX_SESSION_SECS).toBe(43_200);
  });

  it.each([
    ['300', 300],
    ['86400', 86_400],
    ['604800', 604_800],
  ])('accepts JWT_MAX_SESSION_SECS=%s', (value, expected) => {
    expect(parseAuthConfig({ JWT_SECRET: SECRET, JWT_MAX_SESSION_SECS: value }).maxSessionSecs).toBe(
      expected,
    );
  });

  it('reads it in JWKS mode too', () => {
    const config = parseAuthConfig({
      JWT_JWKS_URL: 'https://idp.example.com/jwks.json',
      JWT_MAX_SESSION_SECS: '3600',
    });
    expect(config.maxSessionSecs).toBe(3600);
  });

  it.each([
    ['299', />= 300/],
    ['604801', /<= 604800/],
    ['12h', /must be an integer/],
    ['1.5', /must be an integer/],
  ])('rejects JWT_MAX_SESSION_SECS=%s naming the variable', (value, problem) => {
    const parse = () => parseAuthConfig({ JWT_SECRET: SECRET, JWT_MAX_SESSION_SECS: value });
    expect(parse).toThrow(/JWT_MAX_SESSION_SECS/);
    expect(parse).toThrow(problem);
  });
});
