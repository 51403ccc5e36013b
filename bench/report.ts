// Renders results: a readable table per scenario on stdout plus one JSON line each (prefix `BENCH_JSON `).
import type { MachineFacts } from './machine.ts';
import type { Figure, ScenarioResult } from './scenarios/scenario-result.ts';

export function printMachine(machine: MachineFacts): void {
  console.log(
    `machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryMiB} MiB, ${machine.os}, node ${machine.node}, ${machine.date}`,
  );
}

export function printResult(result: ScenarioResult, machine: MachineFacts): void {
  const params = Object.entries(result.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const rows = Object.entries(result.figures).map(([name, figure]) => [name, formatFigure(figure)] as const);
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(`\n== ${result.scenario} [${result.backend}] ${params}`);
  for (const [name, text] of rows) console.log(`  ${name.padEnd(width)}  ${text}`);
  console.log(result.failures.length ? `  FAILED (${result.failures.length}):` : '  OK: no failures');
  for (const failure of result.failures.slice(0, 20)) console.log(`    - ${failure}`);
  if (result.failures.length > 20) console.log(`    … and ${result.failures.length - 20} more`);
  console.log(`BENCH_JSON ${JSON.stringify({ ...result, machine })}`);
}

function formatFigure(figure: Figure): string {
  if (typeof figure !== 'object') return String(figure);
  if ('p50' in figure && 'p99' in figure) {
    return `p50 ${figure.p50}  p95 ${figure.p95}  p99 ${figure.p99}  max ${figure.max}  mean ${figure.mean}  (n=${figure.count})`;
  }
  return Object.entries(figure)
    .map(([k, v]) => `${k}=${v}`)
    .join('  ');
}

/**
 * Every figure that carries a goal (`{ …, goal, met }`), over the whole run, as one Markdown table: what
 * `docs/BENCHMARKS.md` records. An unmet goal is reported, not failed (failures are correctness problems).
 */
export function printGoals(results: readonly ScenarioResult[]): void {
  const rows: string[] = [];
  for (const result of results) {
    for (const [name, figure] of Object.entries(result.figures)) {
      if (typeof figure !== 'object' || !('goal' in figure) || !('met' in figure)) continue;
      const { goal, met, ...rest } = figure as Record<string, number | string>;
      const value = Object.entries(rest)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      rows.push(`| ${result.scenario} [${result.backend}] | ${name} | ${value} | ${goal} | ${met} |`);
    }
  }
  if (!rows.length) return;
  console.log('\n== goals\n| scenario | figure | measured | goal | met |\n| --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
}
