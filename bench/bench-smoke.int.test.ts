// `npm run bench -- --smoke` as a child process on both backends: every scenario runs, passes and reports sane figures,
// so the benchmark cannot rot between the runs recorded in docs/BENCHMARKS.md.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BACKENDS, emulatorsAvailable, type BackendName } from '../test/backends.ts';
import { SCENARIOS } from './cli-options.ts';
import type { ScenarioResult } from './scenarios/scenario-result.ts';
import type { LatencySummary } from './stats.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const RUN = fileURLToPath(new URL('./run.ts', import.meta.url));
/** A smoke run takes ~40 s per backend on a busy 2-core machine (~100 s at load 200); both run at once. */
const RUN_TIMEOUT_MS = 240_000;

interface BenchRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runBenchSmoke(backend: BackendName): Promise<BenchRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RUN, '--smoke', '--backend', backend], {
      cwd: REPO,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // The stack children exit when their runner goes away.
    const timer = setTimeout(() => child.kill('SIGTERM'), RUN_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function isSummary(figure: unknown): figure is LatencySummary {
  return typeof figure === 'object' && figure !== null && 'p99' in figure && 'count' in figure;
}

function summary(result: ScenarioResult, name: string): LatencySummary {
  const figure = result.figures[name];
  if (!isSummary(figure))
    throw new Error(`${result.scenario}: figure "${name}" missing or not a latency summary`);
  return figure;
}

function num(result: ScenarioResult, name: string): number {
  const figure = result.figures[name];
  if (typeof figure !== 'number')
    throw new Error(`${result.scenario}: figure "${name}" missing or not a number`);
  return figure;
}

/**
 * Figures that are differences between two samples or lines fitted through them (bytes per socket, slopes and what
 * they extrapolate): at smoke sizes a GC between samples or a noisy point can make them negative, which is noise,
 * not a broken benchmark.
 */
const SIGNED_FIGURE = /bytes per socket|slope|per 1k sockets|extrapolated|\(fit|delta/i;

/** Every number in every figure is finite (and not negative, memory deltas aside); latency summaries are ordered. */
function saneEverywhere(result: ScenarioResult): void {
  for (const [name, figure] of Object.entries(result.figures)) {
    const values = typeof figure === 'object' ? Object.values(figure) : [figure];
    const signed = SIGNED_FIGURE.test(name);
    for (const value of values) {
      if (typeof value !== 'number') continue;
      const sane = Number.isFinite(value) && (signed || value >= 0);
      expect(sane, `${result.scenario} "${name}" = ${value}`).toBe(true);
    }
    if (isSummary(figure)) {
      expect(figure.p50, `${result.scenario} "${name}"`).toBeLessThanOrEqual(figure.p95);
      expect(figure.p95, `${result.scenario} "${name}"`).toBeLessThanOrEqual(figure.p99);
      expect(figure.p99, `${result.scenario} "${name}"`).toBeLessThanOrEqual(figure.max);
    }
  }
}

/** The key figures of each known result, checked beyond "present": they must describe the load that ran. */
const KEY_FIGURES: Record<string, (r: ScenarioResult) => void> = {
  latency: (r) => {
    expect(num(r, 'webhooks')).toBeGreaterThan(0);
    expect(num(r, 'deliveries')).toBe(num(r, 'webhooks') * Number(r.params.clients));
    expect(summary(r, 'webhook→subscriber ms').count).toBe(num(r, 'deliveries'));
    expect(summary(r, 'webhook→subscriber ms').p99).toBeGreaterThan(0);
  },
  fanout: (r) => {
    expect(num(r, 'webhooks')).toBeGreaterThan(0);
    expect(num(r, 'deliveries')).toBeGreaterThanOrEqual(num(r, 'webhooks'));
    expect(num(r, 'deliveries/s')).toBeGreaterThan(0);
    expect(summary(r, 'webhook→subscriber ms').count).toBe(num(r, 'deliveries'));
  },
  'ingest-one-call': (r) => {
    expect(num(r, 'accepted')).toBeGreaterThan(0);
    expect(num(r, 'accepted')).toBe(num(r, 'webhooks'));
    expect(num(r, 'webhooks/s')).toBeGreaterThan(0);
  },
  'ingest-many-calls': (r) => KEY_FIGURES['ingest-one-call']!(r),
  'resume-ring': (r) => {
    expect(summary(r, 'time to caught up ms').count).toBe(Number(r.params.reps));
    expect(summary(r, 'time to caught up ms').p99).toBeGreaterThan(0);
    expect(num(r, 'store reads per resume (call + event pages)')).toBeLessThanOrEqual(1);
  },
  'resume-store': (r) => {
    expect(summary(r, 'time to caught up ms').count).toBe(Number(r.params.reps));
    expect(num(r, 'store reads per resume (call + event pages)')).toBeGreaterThanOrEqual(2);
  },
};

describe.concurrent('npm run bench -- --smoke', () => {
  for (const backend of BACKENDS) {
    it.skipIf(backend === 'google' && !emulatorsAvailable())(
      `runs every scenario on ${backend}, exits 0, with sane figures and no failures`,
      async () => {
        const run = await runBenchSmoke(backend);
        const output = `${run.stdout}\n${run.stderr}`.slice(-4000);
        expect(run.code, output).toBe(0);
        const results = run.stdout
          .split('\n')
          .filter((line) => line.startsWith('BENCH_JSON '))
          .map((line) => JSON.parse(line.slice('BENCH_JSON '.length)) as ScenarioResult);
        for (const scenario of SCENARIOS) {
          const printed = results.some(
            (r) => r.scenario === scenario || r.scenario.startsWith(`${scenario}-`),
          );
          expect(printed, `no BENCH_JSON line for scenario ${scenario}`).toBe(true);
        }
        for (const result of results) {
          expect(result.backend).toBe(backend);
          expect(result.failures, result.scenario).toEqual([]);
          expect(Object.keys(result.figures).length, result.scenario).toBeGreaterThan(0);
          saneEverywhere(result);
          KEY_FIGURES[result.scenario]?.(result);
        }
      },
      RUN_TIMEOUT_MS + 10_000,
    );
  }
});
