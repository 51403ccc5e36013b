// Property tests over the relay protocol parsers: any frame text gives a typed message or a reason, never a throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TOKEN_LENGTH } from '../../core/domain/credentials.ts';
import { parseClientMessage } from '../../core/protocol/parse-client-message.ts';
import { parseServerMessage } from '../../core/protocol/parse-server-message.ts';

const frameLike = fc.oneof(
  fc.string(),
  fc.json(),
  fc
    .record(
      {
        type: fc.oneof(
          fc.constantFrom('subscribe', 'unsubscribe', 'subscribe_calls', 'auth', 'ping', '__proto__'),
          fc.string(),
        ),
        callId: fc.oneof(
          fc.string(),
          fc.integer(),
          fc.constant(null),
          fc.string({ minLength: 190, maxLength: 260 }),
        ),
        afterSeq: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(-1)),
        token: fc.oneof(fc.string(), fc.constant('x'.repeat(MAX_TOKEN_LENGTH + 1))),
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
);

describe('parseClientMessage', () => {
  it('never throws and never echoes a token back', () => {
    fc.assert(
      fc.property(frameLike, (text) => {
        const result = parseClientMessage(text);
        if (!result.ok) {
          expect(typeof result.reason).toBe('string');
          const raw = (() => {
            try {
              return JSON.parse(text) as { token?: unknown };
            } catch {
              return undefined;
            }
          })();
          if (typeof raw?.token === 'string' && raw.token.length > 8) {
            expect(result.reason).not.toContain(raw.token);
          }
        } else {
          expect(['subscribe', 'unsubscribe', 'subscribe_calls', 'auth', 'ping']).toContain(
            result.message.type,
          );
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseServerMessage', () => {
  it('never throws: a known message or undefined', () => {
    const serverLike = fc.oneof(
      frameLike,
      fc
        .record(
          {
            type: fc.constantFrom(
              'subscribed',
              'call_status',
              'segment',
              'partial',
              'calls',
              'error',
              'pong',
            ),
            seq: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
            callId: fc.oneof(fc.string(), fc.integer()),
            calls: fc.oneof(fc.array(fc.jsonValue()), fc.jsonValue()),
            code: fc.jsonValue(),
          },
          { requiredKeys: ['type'] },
        )
        .map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(serverLike, (text) => {
        const message = parseServerMessage(text);
        if (message !== undefined) expect(typeof message.type).toBe('string');
      }),
      { numRuns: 1000 },
    );
  });
});
