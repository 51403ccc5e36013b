import { describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT_TYPES } from '../../core/domain/webhook.ts';
import {
  deliveryStatusLabel,
  endpointStatusText,
  eventHint,
  eventLabel,
  lastAttempt,
  latencyText,
  responseText,
} from './webhook-labels.ts';

describe('webhook labels', () => {
  it('names every subscribable event type in words, with a hint, and shows unknown types as sent', () => {
    for (const type of WEBHOOK_EVENT_TYPES) {
      expect(eventLabel(type)).not.toBe(type);
      expect(eventHint(type).length).toBeGreaterThan(10);
    }
    expect(eventLabel('webhook.test')).toBe('Test event');
    expect(eventLabel('call.transferred')).toBe('call.transferred');
  });

  it('spells out why an endpoint is disabled', () => {
    expect(endpointStatusText({ status: 'active' })).toBe('Active');
    expect(endpointStatusText({ status: 'disabled' })).toBe('Disabled');
    expect(
      endpointStatusText({ status: 'disabled', disabledReason: 'every attempt failed since 2026-11-25' }),
    ).toBe('Disabled: every attempt failed since 2026-11-25');
    expect(deliveryStatusLabel('succeeded')).toBe('Delivered');
  });

  it('shows the latest attempt: its status code or a dash, its latency in ms or s', () => {
    const attempts = [
      { at: '2026-11-30T10:00:00Z', latencyMs: 10_000, error: 'timed out after 10 s' },
      { at: '2026-11-30T10:00:05Z', statusCode: 200, latencyMs: 84.6 },
    ];
    expect(lastAttempt(attempts)).toBe(attempts[1]);
    expect(lastAttempt([])).toBeUndefined();
    expect(responseText(attempts[0])).toBe('—');
    expect(responseText(attempts[1])).toBe('200');
    expect(latencyText(attempts[0])).toBe('10.0 s');
    expect(latencyText(attempts[1])).toBe('85 ms');
    expect(latencyText(undefined)).toBe('—');
  });
});
