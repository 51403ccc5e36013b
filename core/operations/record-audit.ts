// Writes one audit entry after an action succeeded: a few immediate attempts, then a loud failure (never silent).
import { createHash, randomBytes } from 'node:crypto';
import type { AuditActor, AuditEntry, AuditEvent } from '../domain/audit.ts';
import type { AuditLog } from '../ports/audit-log.ts';
import type { Clock } from '../support/clock.ts';
import { AppError } from '../support/errors.ts';
import type { Logger } from '../support/log.ts';

export interface AuditDeps {
  audit: AuditLog;
  clock: Clock;
}

export interface AuditInput {
  orgId: string;
  actor: AuditActor;
  requestId?: string | undefined;
  event: AuditEvent;
  /**
   * The action's identity when it has one (`call.triggered:<callId>`): the entry id is derived from it, so a retried
   * request (an idempotent replay, a provider's redelivery) writes the same entry again, which the log keeps once.
   * Without it the id is random: the action happens each time it is requested.
   */
  key?: string;
}

/** Attempts per entry before giving up: the writes are small and idempotent, so a blip is retried at once. */
export const AUDIT_WRITE_ATTEMPTS = 3;

/** `aud_` + 24 hex: derived from `key` (hash) or random. */
export function auditIdOf(key?: string): string {
  const hex = key
    ? createHash('sha256').update(key).digest('hex').slice(0, 24)
    : randomBytes(12).toString('hex');
  return `aud_${hex}`;
}

/**
 * Appends the entry for an action that already succeeded. Callers record only after the action is applied, so an
 * entry never claims something that did not happen. If every attempt fails, the entry (which holds no secret or
 * phone number, so it may be logged) goes to the error log, where operators can recover it, and the call rejects
 * with `audit_unavailable` (503, details `{ applied: true, auditId }`): a dispatcher action without its entry is a
 * compliance gap that must surface, and providers redeliver on a 503 (their retry rewrites the same entry).
 */
export async function recordAudit(deps: AuditDeps, input: AuditInput, logger: Logger): Promise<AuditEntry> {
  const entry = {
    ...input.event,
    auditId: auditIdOf(input.key),
    orgId: input.orgId,
    at: deps.clock.now().toISOString(),
    actor: input.actor,
    ...(input.requestId ? { requestId: input.requestId } : {}),
  } as AuditEntry;
  let lastError: unknown;
  for (let attempt = 1; attempt <= AUDIT_WRITE_ATTEMPTS; attempt++) {
    try {
      await deps.audit.append(entry);
      return entry;
    } catch (err) {
      lastError = err;
    }
  }
  logger.error('audit entry not stored', { auditEntry: entry, error: lastError });
  throw new AppError('audit_unavailable', 'the action was applied, but its audit entry could not be stored', {
    cause: lastError,
    details: { applied: true, auditId: entry.auditId },
  });
}
