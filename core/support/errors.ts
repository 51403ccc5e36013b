// The one catalogue of error codes (HTTP + WebSocket) and WebSocket close codes, mapped to transports only at the edge.

/** Stable error codes callers can branch on. Add here, never inline elsewhere. */
export const ERROR_CODES = {
  bad_request: 400,
  invalid_payload: 400,
  validation_failed: 422,
  invalid_signature: 403,
  missing_signature: 401,
  unauthorized: 401,
  invalid_credentials: 401,
  token_expired: 401,
  /** Relay upgrade refused: this relay ticket was already used to open a socket (tickets are single use). */
  ticket_used: 401,
  /** Refresh refused: the session is older than `JWT_MAX_SESSION_SECS` (or its login time is unknown). */
  session_expired: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  too_many_subscriptions: 429,
  /** Relay upgrade refused: the principal or its org already holds its cap of open sockets on this instance. */
  too_many_connections: 429,
  internal: 500,
  provider_error: 502,
  /** A proxy (the local stack's dashboard server) could not get a usable answer from the service behind it. */
  upstream_unavailable: 502,
  store_unavailable: 503,
  bus_unavailable: 503,
  unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Base error for everything a caller or a dependency can cause. `message` never carries secrets or phone numbers. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  /** How long the caller should wait before retrying, in seconds (`Retry-After` at the HTTP edge). */
  readonly retryAfterSecs: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: unknown; retryAfterSecs?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
    this.retryAfterSecs = options.retryAfterSecs;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code];
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** The JSON error envelope every HTTP surface answers with. */
export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export function toErrorEnvelope(err: AppError): ErrorEnvelope {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.details === undefined ? {} : { details: err.details }),
    },
  };
}

/**
 * WebSocket close codes. 1xxx are protocol-defined; 4xxx are callrelay's.
 * `reconnect: true` means a client should reconnect (with backoff) and resume; false means terminal.
 */
export const CLOSE_CODES = {
  normal: { code: 1000, reconnect: false, reason: 'normal closure' },
  server_shutdown: { code: 1001, reconnect: true, reason: 'server shutting down' },
  policy: { code: 1008, reconnect: false, reason: 'policy violation' },
  message_too_big: { code: 1009, reconnect: false, reason: 'frame too big' },
  internal: { code: 1011, reconnect: true, reason: 'internal error' },
  overloaded: { code: 1013, reconnect: true, reason: 'overloaded, try later' },
  token_expired: { code: 4001, reconnect: true, reason: 'token expired' },
  forbidden: { code: 4003, reconnect: false, reason: 'forbidden' },
  slow_consumer: { code: 4008, reconnect: true, reason: 'slow consumer' },
} as const;

export type CloseReason = keyof typeof CLOSE_CODES;

/** Whether a client should reconnect after a close with this code (unknown codes, incl. 1006, are retried). */
export function shouldReconnect(code: number): boolean {
  for (const entry of Object.values(CLOSE_CODES)) {
    if (entry.code === code) return entry.reconnect;
  }
  return true;
}
