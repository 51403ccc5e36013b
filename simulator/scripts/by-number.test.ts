// The by-number script choice (digit table, per-number attempt counting) and the opt_out data every script reports.
import { describe, expect, it } from 'vitest';
import { DialCounter, SCRIPT_SELECTIONS, scriptForNumber } from './by-number.ts';
import { SCRIPTS } from './index.ts';

describe('scriptForNumber', () => {
  it.each([
    ['+15550000001', 'acknowledged'],
    ['+15550000002', 'no-answer'],
    ['+15550000003', 'busy'],
    ['+15550000004', 'voicemail'],
    ['+15550000005', 'cut-short'],
    ['+15550000006', 'no-answer'],
    ['+15550000007', 'opt-out'],
    ['+15550000008', 'disputed'],
    ['+15550000009', 'acknowledged'],
    ['+15550000000', 'acknowledged'],
  ])('first call to %s plays %s', (to, script) => {
    expect(scriptForNumber(to, 0)).toBe(script);
  });

  it('digit 6 rings out on the first attempt only; other digits ignore the count', () => {
    expect([0, 1, 2].map((n) => scriptForNumber('+15550000016', n))).toEqual([
      'no-answer',
      'acknowledged',
      'acknowledged',
    ]);
    expect([0, 1].map((n) => scriptForNumber('+15550000002', n))).toEqual(['no-answer', 'no-answer']);
  });

  it('every selection is a script name or by-number', () => {
    for (const name of SCRIPT_SELECTIONS) expect(name === 'by-number' || name in SCRIPTS).toBe(true);
  });
});

describe('DialCounter', () => {
  it('counts the calls before this one, per number', () => {
    const dials = new DialCounter();
    expect([dials.next('+1a'), dials.next('+1b'), dials.next('+1a'), dials.next('+1a')]).toEqual([
      0, 0, 1, 2,
    ]);
  });
});

describe('script data collection', () => {
  it('every analysed script reports opt_out, true only for opt-out', () => {
    for (const script of Object.values(SCRIPTS)) {
      if (!script.analysis) continue;
      expect(script.analysis.dataCollection.opt_out?.value, script.name).toBe(script.name === 'opt-out');
    }
  });

  it('opt-out and disputed are answered calls that acknowledge nothing and need no escalation', () => {
    for (const name of ['opt-out', 'disputed'] as const) {
      const { analysis, outcome, turns } = SCRIPTS[name];
      expect(outcome.kind).toBe('answered');
      expect(turns.some((t) => t.speaker === 'driver')).toBe(true);
      expect(analysis?.dataCollection.acknowledged?.value).toBe(false);
      expect(analysis?.dataCollection.escalation_needed?.value).toBe(false);
    }
  });
});
