// RequestGate: admits up to maxInFlight, refuses the rest with one 503 at once, never gates liveness.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../core/support/log.ts';
import { RequestGate } from './request-gate.ts';

describe('RequestGate', () => {
  it('admits maxInFlight requests, answers 503 + Retry-After: 1 beyond, and admits again when one ends', async () => {
    const lines: string[] = [];
    const gate = new RequestGate(2, createLogger({ sink: (l) => lines.push(l) }));
    const releases: (() => void)[] = [];
    const slow = () => new Promise<void>((r) => releases.push(r));
    expect(gate.admit('/a', slow)).toBeUndefined();
    expect(gate.admit('/b', slow)).toBeUndefined();
    const refused = gate.admit('/c', slow);
    expect(refused).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
    expect(refused?.body).toMatchObject({ error: { code: 'unavailable' } });
    expect(gate.admit('/healthz', async () => {})).toBeUndefined();
    expect(gate.inFlight).toBe(2);
    expect(lines.filter((l) => l.includes('shedding')).length).toBe(1);
    releases.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    expect(gate.admit('/d', async () => {})).toBeUndefined();
  });
});
