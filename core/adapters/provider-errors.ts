// Turns SDK failures (ElevenLabs, Twilio) into AppError('provider_error') carrying only status and codes, no payloads.
import { ElevenLabsError, ElevenLabsTimeoutError } from '@elevenlabs/elevenlabs-js';
import { AppError } from '../support/errors.ts';

export type ProviderName = 'elevenlabs' | 'twilio';

/** Why a provider request failed, safe to store on a call and show to dispatchers. */
export interface ProviderFailure {
  provider: ProviderName;
  operation: string;
  kind: 'timeout' | 'http_status' | 'network' | 'rejected';
  /** HTTP status, when the provider answered. */
  status?: number;
  /** The provider's own error code (e.g. Twilio 21220), when it sent one. */
  providerCode?: number;
}

/**
 * Wraps `err` (what an SDK threw) as `AppError('provider_error')`. The SDK error is deliberately not kept as `cause`:
 * its message can quote the request (phone numbers) or response body, and causes end up in logs.
 */
export function providerError(provider: ProviderName, operation: string, err: unknown): AppError {
  return failureError(classify(provider, operation, err));
}

/** A provider answered 2xx but refused (e.g. ElevenLabs `success: false`). */
export function providerRejected(provider: ProviderName, operation: string): AppError {
  return failureError({ provider, operation, kind: 'rejected' });
}

function failureError(failure: ProviderFailure): AppError {
  return new AppError('provider_error', describeFailure(failure), { details: failure });
}

/** One line, e.g. `twilio calls.create failed: HTTP 503 (code 20500)`. */
function describeFailure(f: ProviderFailure): string {
  const what = `${f.provider} ${f.operation} failed`;
  switch (f.kind) {
    case 'timeout':
      return `${what}: timed out`;
    case 'network':
      return `${what}: network error`;
    case 'rejected':
      return `${what}: request was not accepted`;
    case 'http_status':
      return `${what}: HTTP ${f.status ?? '?'}${f.providerCode !== undefined ? ` (code ${f.providerCode})` : ''}`;
  }
}

/** The Twilio error code of a failure, when it was a Twilio REST error. */
export function twilioErrorCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function classify(provider: ProviderName, operation: string, err: unknown): ProviderFailure {
  const base = { provider, operation };
  if (err instanceof ElevenLabsTimeoutError) return { ...base, kind: 'timeout' };
  if (err instanceof ElevenLabsError) {
    if (err.statusCode !== undefined) return { ...base, kind: 'http_status', status: err.statusCode };
    // SDK 2.x on Node's fetch: its own timer aborts with the reason "timeout", surfacing as a plain ElevenLabsError.
    return {
      ...base,
      kind: isTimeoutReason(err.cause) || /timeout/i.test(err.message) ? 'timeout' : 'network',
    };
  }
  const e = err as { status?: unknown; code?: unknown; name?: unknown } | null;
  if (typeof e?.status === 'number') {
    // twilio RestException: HTTP status + numeric Twilio error code.
    return {
      ...base,
      kind: 'http_status',
      status: e.status,
      ...(typeof e.code === 'number' ? { providerCode: e.code } : {}),
    };
  }
  if (
    e?.code === 'ECONNABORTED' ||
    e?.code === 'ETIMEDOUT' ||
    e?.name === 'TimeoutError' ||
    e?.name === 'AbortError'
  ) {
    return { ...base, kind: 'timeout' };
  }
  return { ...base, kind: 'network' };
}

function isTimeoutReason(cause: unknown): boolean {
  if (cause === 'timeout') return true;
  const name = (cause as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}
