// `npm run bench -- [flags]`: parsed once, validated, with defaults sized so the default run ends in about a minute.
import { parseArgs } from 'node:util';
import type { BackendName } from '../test/backends.ts';
import type { FanoutOptions } from './scenarios/fanout.ts';
import type { FanoutCompareOptions } from './scenarios/fanout-compare.ts';
import type { IngestOptions } from './scenarios/ingest.ts';
import type { LatencyOptions } from './scenarios/latency.ts';

export const SCENARIOS = ['latency', 'fanout', 'ingest', 'fanout-compare'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  backend: BackendName;
  scenarios: ScenarioName[];
  jsonPath?: string;
  latency: LatencyOptions;
  fanout: FanoutOptions;
  ingest: IngestOptions;
  fanoutCompare: FanoutCompareOptions;
}

/** Flag → [default, min, max]. Maxima keep a mistyped flag from exhausting the machine. */
const NUMBERS = {
  'latency-clients': [20, 1, 2000],
  'latency-calls': [4, 1, 100],
  'latency-rate': [50, 1, 5000],
  'latency-secs': [10, 1, 300],
  'fanout-clients': [200, 1, 5000],
  'fanout-calls': [20, 1, 1000],
  'fanout-concurrency': [8, 1, 256],
  'fanout-secs': [10, 1, 300],
  'ingest-concurrency': [8, 1, 256],
  'ingest-calls': [50, 2, 10_000],
  'ingest-secs': [8, 1, 300],
  'compare-watchers': [1000, 1, 19_000],
  'compare-posts': [300, 0, 100_000],
  'compare-calls': [1000, 1, 5000],
  'compare-call-watchers': [10, 1, 1000],
  'compare-calls-posts': [10_000, 0, 100_000],
  'compare-concurrency': [8, 1, 256],
  'compare-procs': [2, 1, 8],
  'compare-rounds': [1, 1, 20],
} as const satisfies Record<string, readonly [number, number, number]>;
type NumberFlag = keyof typeof NUMBERS;

export const USAGE = `npm run bench -- [options]

  --backend memory|google   adapters (default memory; google needs FIRESTORE_EMULATOR_HOST and PUBSUB_EMULATOR_HOST)
  --scenario a,b            any of ${SCENARIOS.join(', ')} (default all)
  --json out.json           also write every result (and the machine facts) to a file
  --compare-profile DIR     fanout-compare: run the relay's stack child with --cpu-prof, profiles into DIR
${Object.entries(NUMBERS)
  .map(([flag, [def, min, max]]) => `  --${flag.padEnd(22)} default ${def} (${min}..${max})`)
  .join('\n')}
`;

export class UsageError extends Error {}

export function parseBenchOptions(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      backend: { type: 'string', default: 'memory' },
      scenario: { type: 'string', default: SCENARIOS.join(',') },
      json: { type: 'string' },
      'compare-profile': { type: 'string' },
      ...Object.fromEntries(Object.keys(NUMBERS).map((flag) => [flag, { type: 'string' as const }])),
    },
  });
  if (values.help) return 'help';
  const backend = values.backend;
  if (backend !== 'memory' && backend !== 'google')
    throw new UsageError('--backend must be memory or google');
  if (backend === 'google' && !(env.FIRESTORE_EMULATOR_HOST && env.PUBSUB_EMULATOR_HOST)) {
    throw new UsageError(
      '--backend google runs on the emulators: set FIRESTORE_EMULATOR_HOST and PUBSUB_EMULATOR_HOST',
    );
  }
  const scenarios = (values.scenario ?? '').split(',').map((s) => s.trim());
  for (const s of scenarios) {
    if (!(SCENARIOS as readonly string[]).includes(s)) throw new UsageError(`unknown scenario ${s}`);
  }
  const num = (flag: NumberFlag): number => {
    const [def, min, max] = NUMBERS[flag];
    const raw = (values as Record<string, unknown>)[flag];
    if (raw === undefined) return def;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new UsageError(`--${flag} must be an integer in ${min}..${max}`);
    }
    return value;
  };
  return {
    backend,
    scenarios: scenarios as ScenarioName[],
    ...(values.json ? { jsonPath: values.json } : {}),
    latency: {
      clients: num('latency-clients'),
      calls: num('latency-calls'),
      rate: num('latency-rate'),
      secs: num('latency-secs'),
    },
    fanout: {
      clients: num('fanout-clients'),
      calls: num('fanout-calls'),
      concurrency: num('fanout-concurrency'),
      secs: num('fanout-secs'),
    },
    ingest: { concurrency: num('ingest-concurrency'), calls: num('ingest-calls'), secs: num('ingest-secs') },
    fanoutCompare: {
      oneCallWatchers: num('compare-watchers'),
      oneCallPosts: num('compare-posts'),
      manyCalls: num('compare-calls'),
      manyWatchers: num('compare-call-watchers'),
      manyPosts: num('compare-calls-posts'),
      concurrency: num('compare-concurrency'),
      clientProcesses: num('compare-procs'),
      rounds: num('compare-rounds'),
      ...(values['compare-profile'] ? { profileDir: values['compare-profile'] } : {}),
    },
  };
}
