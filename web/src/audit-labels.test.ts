// Audit entries in words: actors and every action have a label, provider changes name the webhook and the move.
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, type AuditEntry, type AuditEvent } from '../../core/domain/audit.ts';
import { auditActionLabel, auditActorLabel } from './audit-labels.ts';

const base = { auditId: 'aud_1', orgId: 'org', at: '2030-01-01T00:00:00.000Z' };

function entry(
  event: AuditEvent,
  actor: AuditEntry['actor'] = { kind: 'dispatcher', id: 'usr_1' },
): AuditEntry {
  return { ...base, ...event, actor } as AuditEntry;
}

describe('audit labels', () => {
  it('names the actor', () => {
    const e = (actor: AuditEntry['actor']) =>
      auditActorLabel(entry({ action: 'auth.signed_in', target: {}, details: {} }, actor));
    expect(e({ kind: 'dispatcher', id: 'usr_1', role: 'dispatcher' })).toBe('Dispatcher usr_1');
    expect(e({ kind: 'dispatcher', id: 'usr_5c2a40f5979e4db0', role: 'admin' })).toBe('Admin usr_5c2a40…');
    expect(e({ kind: 'provider', id: 'twilio' })).toBe('Twilio');
    expect(e({ kind: 'provider', id: 'elevenlabs' })).toBe('ElevenLabs');
    expect(e({ kind: 'system', id: 'worker' })).toBe('callrelay');
  });

  it('describes a status change with and without its previous status', () => {
    const change = (from?: 'ringing') =>
      auditActionLabel(
        entry({
          action: 'call.status_changed',
          target: { callId: 'c' },
          details: { webhook: 'twilio_status', seq: 3, ...(from ? { from } : {}), to: 'in-progress' },
        }),
      );
    expect(change('ringing')).toBe('Ringing → In progress (Twilio status callback)');
    expect(change()).toBe('→ In progress (Twilio status callback)');
  });

  it('has words for every action', () => {
    const details: Record<string, unknown> = {
      driverId: 'd',
      status: 'paused',
      drivers: 2,
      reason: 'manual',
      host: 'example.com',
      events: [],
      deliveryId: 'msg_1',
      previousSecretExpiresAt: base.at,
      webhook: 'elevenlabs_post_call',
      seq: 1,
      to: 'completed',
      turns: 4,
      phoneSource: 'profile',
    };
    for (const action of AUDIT_ACTIONS) {
      const label = auditActionLabel(entry({ action, target: {}, details } as AuditEvent));
      expect(label, action).toMatch(/\w/);
    }
  });
});
