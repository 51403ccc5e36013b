// `npm run bench -- [flags]`: parsed once, validated, with defaults sized so the default run ends in about a minute.
import { parseArgs } from 'node:util';
import type { BackendName } from '../test/backends.ts';
import { SMOKE_FANIN, type FaninOptions } from './scenarios/fanin.ts';
import { SMOKE_FANOUT, type FanoutOptions } from './scenarios/fanout.ts';
import { SMOKE_FANOUT_COMPARE, type FanoutCompareOptions } from './scenarios/fanout-compare.ts';
import { SMOKE_INGEST, type IngestOptions } from './scenarios/ingest.ts';
import { SMOKE_LATENCY, type LatencyOptions } from './scenarios/latency.ts';
import { SMOKE_PATH, type PathOptions } from './scenarios/path-latency.ts';
import { SMOKE_RESUME, type ResumeOptions } from './scenarios/resume.ts';
import { SMOKE_SOCKETS, SOCKETS_DEFAULTS, type SocketsOptions } from './scenarios/sockets.ts';

export const SCENARIOS = [
  'latency',
  'fanout',
  'ingest',
  'resume',
  'fanin',
  'path',
  'sockets',
  'fanout-compare',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  backend: BackendName;
  scenarios: ScenarioName[];
  jsonPath?: string;
  /** `--smoke`: every scenario at its smoke size (see `SMOKE_PRESETS`). */
  smoke: boolean;
  latency: LatencyOptions;
  fanout: FanoutOptions;
  ingest: IngestOptions;
  resume: ResumeOptions;
  fanin: FaninOptions;
  path: PathOptions;
  sockets: SocketsOptions;
  fanoutCompare: FanoutCompareOptions;
}

/** The options of every scenario: one field per scenario module (the run-wide fields excluded). */
type ScenarioOptions = Omit<BenchOptions, 'backend' | 'scenarios' | 'jsonPath' | 'smoke'>;

/**
 * `--smoke` (used by `bench/bench-smoke.int.test.ts` inside `npm test`, so the benchmark cannot rot): each scenario
 * runs with the tiny preset its module exports (`SMOKE_<NAME>`, seconds) instead of its defaults. One line per
 * scenario; the type makes a scenario options field without a preset a compile error. A flag given explicitly still
 * sets its field, when named `--<field key>-<option in kebab-case>` (e.g. `--resume-reps` → `resume.reps`).
 */
const SMOKE_PRESETS: ScenarioOptions = {
  latency: SMOKE_LATENCY,
  fanout: SMOKE_FANOUT,
  ingest: SMOKE_INGEST,
  resume: SMOKE_RESUME,
  fanin: SMOKE_FANIN,
  path: SMOKE_PATH,
  sockets: SMOKE_SOCKETS,
  fanoutCompare: SMOKE_FANOUT_COMPARE,
};

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
  'resume-behind': [300, 1, 100_000],
  'resume-reps': [200, 1, 10_000],
  'fanin-start-rate': [1000, 1, 100_000],
  'fanin-max-rate': [8000, 1, 200_000],
  'fanin-secs': [3, 1, 120],
  'fanin-orgs': [20, 1, 10_000],
  'path-calls': [50, 1, 1000],
  'path-low-rate': [50, 1, 5000],
  'path-high-rate': [200, 1, 5000],
  'path-warmup-secs': [5, 1, 300],
  'path-secs': [10, 1, 300],
  'path-throughput-secs': [8, 1, 300],
  'path-concurrency': [8, 1, 256],
  'path-talk-secs': [20, 1, 600],
  'sockets-segments': [SOCKETS_DEFAULTS.segments, 1, 100],
  'sockets-per-load': [SOCKETS_DEFAULTS.socketsPerLoad, 10, 19_000],
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
/** One process holds at most ~19,900 sockets here: the fd hard limit is 20,000 and cannot be raised. */
const MAX_SOCKETS = 19_900;

export const USAGE = `npm run bench -- [options]

  --backend memory|google   adapters (default memory; google needs FIRESTORE_EMULATOR_HOST and PUBSUB_EMULATOR_HOST)
  --scenario a,b            any of ${SCENARIOS.join(', ')} (default all)
  --json out.json           also write every result (and the machine facts) to a file
  --smoke                   every scenario at its tiny smoke size (seconds); flags below still override a field
  --fanin-cpu-prof dir      write a .cpuprofile of the fan-in relay process to dir
  --ingest-cpu-prof dir     write a .cpuprofile of the ingest stack process to dir
  --sockets-sizes a,b       sockets scenario sizes (default ${SOCKETS_DEFAULTS.sizes.join(',')}; each 1..${MAX_SOCKETS})
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
      smoke: { type: 'boolean', default: false },
      backend: { type: 'string', default: 'memory' },
      scenario: { type: 'string', default: SCENARIOS.join(',') },
      json: { type: 'string' },
      'fanin-cpu-prof': { type: 'string' },
      'ingest-cpu-prof': { type: 'string' },
      'sockets-sizes': { type: 'string' },
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
  const scenarioOptions: ScenarioOptions = {
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
    ingest: {
      concurrency: num('ingest-concurrency'),
      calls: num('ingest-calls'),
      secs: num('ingest-secs'),
      ...(values['ingest-cpu-prof'] ? { cpuProfDir: values['ingest-cpu-prof'] } : {}),
    },
    resume: { behind: num('resume-behind'), reps: num('resume-reps') },
    fanin: {
      startRate: num('fanin-start-rate'),
      maxRate: num('fanin-max-rate'),
      secs: num('fanin-secs'),
      orgs: num('fanin-orgs'),
      ...(values['fanin-cpu-prof'] ? { cpuProfDir: values['fanin-cpu-prof'] } : {}),
    },
    path: {
      calls: num('path-calls'),
      lowRate: num('path-low-rate'),
      highRate: num('path-high-rate'),
      warmupSecs: num('path-warmup-secs'),
      secs: num('path-secs'),
      throughputSecs: num('path-throughput-secs'),
      concurrency: num('path-concurrency'),
      talkSecs: num('path-talk-secs'),
    },
    sockets: {
      sizes: socketSizes(values['sockets-sizes']),
      segments: num('sockets-segments'),
      socketsPerLoad: num('sockets-per-load'),
    },
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
  const smoke = values.smoke === true;
  const given = (flag: string): boolean => (values as Record<string, unknown>)[flag] !== undefined;
  return {
    backend,
    scenarios: scenarios as ScenarioName[],
    ...(values.json ? { jsonPath: values.json } : {}),
    smoke,
    ...(smoke ? smokeOptions(scenarioOptions, given) : scenarioOptions),
  };
}

/** The smoke presets, with each field whose flag was given explicitly taken from the parsed flags instead. */
function smokeOptions(parsed: ScenarioOptions, given: (flag: string) => boolean): ScenarioOptions {
  type Fields = Record<string, Record<string, unknown>>;
  const presets = SMOKE_PRESETS as unknown as Fields;
  const fromFlags = parsed as unknown as Fields;
  const merged: Fields = {};
  for (const [key, preset] of Object.entries(presets)) {
    merged[key] = Object.fromEntries(
      Object.entries(preset).map(([field, value]) => {
        const flag = `${key}-${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
        return [field, given(flag) ? fromFlags[key]![field] : value];
      }),
    );
  }
  return merged as unknown as ScenarioOptions;
}

function socketSizes(raw: string | undefined): number[] {
  if (raw === undefined) return [...SOCKETS_DEFAULTS.sizes];
  const sizes = raw.split(',').map((s) => Number(s.trim()));
  if (!sizes.length || sizes.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_SOCKETS)) {
    throw new UsageError(`--sockets-sizes must list integers in 1..${MAX_SOCKETS}`);
  }
  return sizes;
}
