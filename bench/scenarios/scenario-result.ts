// What every scenario returns: its parameters, its figures and the failures that make the run exit non-zero.
import type { BackendName } from '../../test/backends.ts';
import type { LatencySummary } from '../stats.ts';

export type Figure = number | string | LatencySummary | Record<string, number | string>;

export interface ScenarioResult {
  scenario: string;
  backend: BackendName;
  params: Record<string, number | string>;
  figures: Record<string, Figure>;
  /** Lost, duplicated or misordered events, failed webhooks, timeouts. Any entry fails the run. */
  failures: string[];
}
