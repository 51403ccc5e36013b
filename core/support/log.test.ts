// Structured logs: Cloud Logging shape, level filtering, redaction of secrets and phone numbers, trace fields.
import { describe, expect, it } from 'vitest';
import { createLogger, redact, traceFields, type Severity } from './log.ts';

function capture(level: Severity = 'DEBUG') {
  const lines: { entry: Record<string, unknown>; severity: Severity }[] = [];
  const logger = createLogger({
    level,
    base: { service: 'test' },
    sink: (line, severity) => lines.push({ entry: JSON.parse(line) as Record<string, unknown>, severity }),
  });
  return { logger, lines };
}

describe('createLogger', () => {
  it('writes one JSON entry with severity, message, time, base and fields', () => {
    const { logger, lines } = capture();
    logger.warn('call failed', { callId: 'c1' });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.severity).toBe('WARNING');
    expect(lines[0]!.entry).toMatchObject({
      severity: 'WARNING',
      message: 'call failed',
      service: 'test',
      callId: 'c1',
    });
    expect(typeof lines[0]!.entry.time).toBe('string');
  });

  it('drops entries below its level', () => {
    const { logger, lines } = capture('WARNING');
    logger.debug('a');
    logger.info('b');
    logger.error('c');
    expect(lines.map((l) => l.entry.message)).toEqual(['c']);
  });

  it('child loggers add their fields and keep the level', () => {
    const { logger, lines } = capture('INFO');
    const child = logger.child({ requestId: 'r1' });
    child.debug('hidden');
    child.info('shown', { step: 2 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.entry).toMatchObject({ service: 'test', requestId: 'r1', step: 2 });
  });

  it('redacts secrets and phone numbers in fields, at any depth', () => {
    const { logger, lines } = capture();
    logger.info('webhook', {
      authorization: 'Bearer abc',
      body: {
        To: '+15551234567',
        From: '+15557654321',
        CallSid: 'CA1',
        driver: { phoneNumber: '+1555', name: 'Dana' },
      },
      twilioSignature: 'sig',
      apiKey: 'k',
    });
    const text = JSON.stringify(lines[0]!.entry);
    for (const secret of ['Bearer abc', '+15551234567', '+15557654321', '+1555', '"sig"', '"k"'])
      expect(text).not.toContain(secret);
    expect(lines[0]!.entry).toMatchObject({ body: { CallSid: 'CA1', driver: { name: 'Dana' } } });
  });
});

describe('redact', () => {
  it.each([
    'token',
    'accessToken',
    'secret',
    'password',
    'Authorization',
    'x-twilio-signature',
    'api_key',
    'phone',
    'to',
    'from',
  ])('hides %s', (key) => {
    expect(redact({ [key]: 'value' })).toEqual({ [key]: '[redacted]' });
  });

  it('keeps keys that only contain to/from', () => {
    expect(redact({ toStatus: 'a', fromCache: true })).toEqual({ toStatus: 'a', fromCache: true });
  });

  it('serializes errors and arrays', () => {
    const out = redact({ err: new Error('boom'), list: [{ secret: 's' }] }) as {
      err: { message: string };
      list: unknown[];
    };
    expect(out.err.message).toBe('boom');
    expect(out.list).toEqual([{ secret: '[redacted]' }]);
  });
});

describe('traceFields', () => {
  it('links to the trace and span from X-Cloud-Trace-Context', () => {
    expect(traceFields('105445aa7843bc8bf206b12000100000/1;o=1', 'demo-p')).toEqual({
      'logging.googleapis.com/trace': 'projects/demo-p/traces/105445aa7843bc8bf206b12000100000',
      'logging.googleapis.com/spanId': '1',
    });
  });

  it.each([undefined, '', 'not-a-trace', '1234/5'])('returns nothing for %s', (header) => {
    expect(traceFields(header, 'demo-p')).toEqual({});
  });
});
