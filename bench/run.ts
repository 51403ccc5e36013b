// `npm run bench`: parse flags, run the chosen scenarios one after another, report; exit 1 on any failure.
import { writeFile } from 'node:fs/promises';
import { assertNever } from '../core/support/assert-never.ts';
import { parseBenchOptions, USAGE, UsageError, type BenchOptions, type ScenarioName } from './cli-options.ts';
import { machineFacts } from './machine.ts';
import { printGoals, printMachine, printResult } from './report.ts';
import { faninScenario } from './scenarios/fanin.ts';
import { fanoutScenario } from './scenarios/fanout.ts';
import { fanoutCompareScenarios } from './scenarios/fanout-compare.ts';
import { ingestScenarios } from './scenarios/ingest.ts';
import { latencyScenario } from './scenarios/latency.ts';
import { resumeScenarios } from './scenarios/resume.ts';
import { shareStacks, stopSharedStacks } from './stack/stack-handle.ts';
import { pathScenarios } from './scenarios/path-latency.ts';
import { socketsScenario } from './scenarios/sockets.ts';
import type { ScenarioResult } from './scenarios/scenario-result.ts';

async function runScenario(name: ScenarioName, o: BenchOptions): Promise<ScenarioResult[]> {
  switch (name) {
    case 'latency':
      return [await latencyScenario(o.backend, o.latency)];
    case 'fanout':
      return [await fanoutScenario(o.backend, o.fanout)];
    case 'ingest':
      return ingestScenarios(o.backend, o.ingest);
    case 'resume':
      return resumeScenarios(o.backend, o.resume);
    case 'fanin':
      return [await faninScenario(o.backend, o.fanin)];
    case 'path':
      return pathScenarios(o.backend, o.path);
    case 'sockets':
      return socketsScenario(o.backend, o.sockets);
    case 'fanout-compare':
      return fanoutCompareScenarios(o.backend, o.fanoutCompare);
    default:
      return assertNever(name);
  }
}

async function main(): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError || err instanceof TypeError)) throw err;
    console.error(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const machine = machineFacts();
  printMachine(machine);
  if (options.smoke) shareStacks();
  const results: ScenarioResult[] = [];
  try {
    for (const name of options.scenarios) {
      for (const result of await runScenario(name, options)) {
        printResult(result, machine);
        results.push(result);
      }
    }
  } finally {
    await stopSharedStacks();
  }
  printGoals(results);
  if (options.jsonPath)
    await writeFile(options.jsonPath, `${JSON.stringify({ machine, results }, null, 2)}\n`);
  const failed = results.filter((r) => r.failures.length > 0).map((r) => r.scenario);
  console.log(failed.length ? `\nFAILED: ${failed.join(', ')}` : '\nall scenarios passed');
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
