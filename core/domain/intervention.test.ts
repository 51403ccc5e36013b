// Who speaks on the outbound track around a takeover, and how the reducer records interventions once.
import { describe, expect, it } from 'vitest';
import { newCallRecord } from './call.ts';
import { applyEvent } from './call-reducer.ts';
import { speakerOf } from './intervention.ts';

const AT = '2026-01-01T10:00:05.000Z';
const taken = { takenOver: { by: 'usr_1', at: AT } };

describe('speakerOf', () => {
  it.each([
    ['agent', {}, '2026-01-01T10:00:09.000Z', 'agent'],
    ['agent', taken, '2026-01-01T10:00:04.999Z', 'agent'],
    ['agent', taken, AT, 'dispatcher'],
    ['agent', taken, '2026-01-01T10:00:09.000Z', 'dispatcher'],
    ['driver', taken, '2026-01-01T10:00:09.000Z', 'driver'],
    ['agent', taken, 'not a time', 'agent'],
  ] as const)('%s on %j heard at %s → %s', (track, call, heardAt, expected) => {
    expect(speakerOf(track, call, heardAt)).toBe(expected);
  });
});

describe('intervention events', () => {
  const live = { ...newCallRecord({ callId: 'call_1', orgId: 'o', status: 'in-progress' }, AT), lastSeq: 3 };

  it('marks the call taken over or ending, once each, without touching its status', () => {
    const body = {
      kind: 'intervention',
      action: 'takeover',
      by: 'usr_1',
      byEmail: 'd@x.test',
      at: AT,
    } as const;
    const next = applyEvent(live, body, AT);
    expect(next).toMatchObject({
      status: 'in-progress',
      takenOver: { by: 'usr_1', byEmail: 'd@x.test', at: AT },
    });
    expect(applyEvent(next!, { ...body, by: 'usr_2' }, AT)).toBeNull();
    const ended = applyEvent(next!, { ...body, action: 'end' }, AT);
    expect(ended).toMatchObject({ takenOver: { by: 'usr_1' }, endRequested: { by: 'usr_1', at: AT } });
  });
});
