// errorResponse: status from the catalogue, Retry-After from the error (or the outage default), 500 for the rest.
import { describe, expect, it } from 'vitest';
import { AppError, DEFAULT_RETRY_AFTER_SECS } from '../../core/support/errors.ts';
import { createLogger } from '../../core/support/log.ts';
import { errorResponse } from './errors-to-http.ts';

const quiet = createLogger({ sink: () => {} });

describe('errorResponse', () => {
  it.each([
    [
      'rate_limited with its own wait',
      new AppError('rate_limited', 'slow down', { retryAfterSecs: 42 }),
      429,
      '42',
    ],
    [
      'unavailable with a fractional wait',
      new AppError('unavailable', 'busy', { retryAfterSecs: 0.2 }),
      503,
      '1',
    ],
    [
      'store_unavailable (outage default)',
      new AppError('store_unavailable', 'down'),
      503,
      String(DEFAULT_RETRY_AFTER_SECS),
    ],
    ['a 4xx without a wait', new AppError('bad_request', 'no'), 400, undefined],
  ])('%s', (_case, err, status, retryAfter) => {
    const res = errorResponse(err, quiet);
    expect(res.status).toBe(status);
    expect(res.headers?.['retry-after']).toBe(retryAfter);
    expect(res.body).toMatchObject({ error: { code: err.code, message: err.message } });
  });

  it('answers 500 internal for anything that is not an AppError, without its message', () => {
    const res = errorResponse(new Error('secret detail'), quiet);
    expect(res).toMatchObject({
      status: 500,
      body: { error: { code: 'internal', message: 'internal error' } },
    });
  });
});
