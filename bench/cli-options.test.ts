// The bench flags: defaults, `--smoke` presets from each scenario module, and explicit flags over a preset.
import { describe, expect, it } from 'vitest';
import { parseBenchOptions, SCENARIOS, UsageError, type BenchOptions } from './cli-options.ts';
import { SMOKE_FANOUT } from './scenarios/fanout.ts';
import { SMOKE_INGEST } from './scenarios/ingest.ts';
import { SMOKE_LATENCY } from './scenarios/latency.ts';
import { SMOKE_RESUME } from './scenarios/resume.ts';

const parse = (argv: string[]): BenchOptions => {
  const options = parseBenchOptions(argv, {});
  if (options === 'help') throw new Error('unexpected help');
  return options;
};

describe('parseBenchOptions', () => {
  it('runs every scenario at its default size without --smoke', () => {
    const options = parse([]);
    expect(options.smoke).toBe(false);
    expect(options.scenarios).toEqual([...SCENARIOS]);
    expect(options.resume).toEqual({ behind: 300, reps: 200 });
    expect(options.latency.secs).toBe(10);
  });

  it('takes every scenario options from its SMOKE_ preset with --smoke', () => {
    const options = parse(['--smoke']);
    expect(options.smoke).toBe(true);
    expect(options.latency).toEqual(SMOKE_LATENCY);
    expect(options.fanout).toEqual(SMOKE_FANOUT);
    expect(options.ingest).toEqual(SMOKE_INGEST);
    expect(options.resume).toEqual(SMOKE_RESUME);
  });

  it('lets an explicit flag set its field over the smoke preset', () => {
    const options = parse(['--smoke', '--resume-reps', '12', '--latency-rate', '7']);
    expect(options.resume).toEqual({ ...SMOKE_RESUME, reps: 12 });
    expect(options.latency).toEqual({ ...SMOKE_LATENCY, rate: 7 });
  });

  it('still validates flags in smoke mode', () => {
    expect(() => parse(['--smoke', '--resume-behind', '0'])).toThrow(UsageError);
  });
});
