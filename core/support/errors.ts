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
  /** The HTTP parser gave up waiting for a request's headers (relay). */
  request_timeout: 408,
  conflict: 409,
  /** The number is on the org's suppression list (the driver opted out or a dispatcher added it): never dialed. */
  suppressed: 409,
  /** The action does not apply to the resource's current state (e.g. resuming a completed campaign). */
  invalid_state: 409,
  /** The attention item was resolved before (by whoever its `resolved` names). */
  already_resolved: 409,
  /** A live-call action (takeover, end) on a call that is not in progress (not answered yet, or already over). */
  not_in_progress: 409,
  /** The call was taken over before (by whoever the details name); a call is taken over once. */
  already_taken_over: 409,
  /** A takeover with no number to connect: neither `phoneNumber` in the request nor one on the dispatcher's profile. */
  phone_number_required: 422,
  /** A webhook URL callrelay will not call: not https, credentials in it, or a host resolving to a non-public address. */
  unsafe_webhook_url: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  /** A plain request on the relay's WebSocket endpoint: only upgrades are served there. */
  upgrade_required: 426,
  rate_limited: 429,
  too_many_subscriptions: 429,
  /** Relay upgrade refused: the principal or its org already holds its cap of open sockets on this instance. */
  too_many_connections: 429,
  /** The request's headers exceed the HTTP parser's limit (relay: 16 KiB). */
  headers_too_large: 431,
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

/** `Retry-After` of a 503 or 429 whose error names no wait of its own (a store or bus outage). */
export const DEFAULT_RETRY_AFTER_SECS = 5;

/**
 * The `Retry-After` header an error's HTTP response carries (whole seconds, at least 1): the error's own wait, else
 * the outage default for a 503 or 429; undefined for every other error.
 */
export function retryAfterHeader(err: AppError): string | undefined {
  const status = err.httpStatus;
  const secs =
    err.retryAfterSecs ?? (status === 503 || status === 429 ? DEFAULT_RETRY_AFTER_SECS : undefined);
  return secs === undefined ? undefined : String(Math.max(1, Math.ceil(secs)));
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
 * WebSocket close codes, by name. Whether a client reconnects is decided by the code's range (see
 * `CLOSE_CODE_RANGES`), except for the protocol codes (1000–2999, RFC 6455) and the codes published before the
 * ranges, which carry their own `reconnect` flag: a code's number and meaning are public protocol and never change.
 * New callrelay codes take the next free number in the range that matches their flag.
 * `reconnect: true` means a client should reconnect (with backoff) and resume; false means terminal.
 */
export const CLOSE_CODES = {
  normal: { code: 1000, reconnect: false, reason: 'normal closure' },
  server_shutdown: { code: 1001, reconnect: true, reason: 'server shutting down' },
  /** Never sent: what a peer sees when the connection dropped without a close frame (RFC 6455 §7.1.5). */
  abnormal: { code: 1006, reconnect: true, reason: 'closed without a close frame' },
  policy: { code: 1008, reconnect: false, reason: 'policy violation' },
  message_too_big: { code: 1009, reconnect: false, reason: 'frame too big' },
  internal: { code: 1011, reconnect: true, reason: 'internal error' },
  overloaded: { code: 1013, reconnect: true, reason: 'overloaded, try later' },
  /** Sent by the client library: the relay was silent for a whole heartbeat interval after a ping. */
  heartbeat_timeout: { code: 4000, reconnect: true, reason: 'heartbeat timeout' },
  token_expired: { code: 4001, reconnect: true, reason: 'token expired' },
  /** Predates the ranges: terminal although it lies in the reconnect range (its number echoes HTTP 403). */
  forbidden: { code: 4003, reconnect: false, reason: 'forbidden' },
  slow_consumer: { code: 4008, reconnect: true, reason: 'slow consumer' },
} as const satisfies Record<string, { code: number; reconnect: boolean; reason: string }>;

export type CloseReason = keyof typeof CLOSE_CODES;

/**
 * callrelay's own close codes (4000–4999, private use under RFC 6455), split as centrifuge's `disconnect.go` splits
 * its own: the first half asks clients to reconnect and resume, the second half is terminal. The range decides for
 * any code the catalogue does not name, so a client already knows what to do with a code added after it shipped.
 */
export const CLOSE_CODE_RANGES = {
  reconnect: { from: 4000, to: 4499 },
  terminal: { from: 4500, to: 4999 },
} as const;

/** The catalogue's name for a close code, or undefined for a code it does not list. */
export function closeReasonOf(code: number): CloseReason | undefined {
  for (const [name, entry] of Object.entries(CLOSE_CODES)) {
    if (entry.code === code) return name as CloseReason;
  }
  return undefined;
}

/**
 * Whether a client should reconnect after a close with this code: the catalogue's flag for a listed code, else the
 * range's verdict; any other unknown code (1006 included) is retried, since a lost link is the common cause.
 */
export function shouldReconnect(code: number): boolean {
  const name = closeReasonOf(code);
  if (name) return CLOSE_CODES[name].reconnect;
  const { terminal } = CLOSE_CODE_RANGES;
  return !(code >= terminal.from && code <= terminal.to);
}
