// IPC between the fan-in scenario and its relay child: what each side sends.
import type { BackendName } from '../../test/backends.ts';

/** How the child builds its relay; passed as argv[2] (JSON). */
export interface FaninSpec {
  backend: BackendName;
  /** Google: the emulator project both the child and the publisher use. */
  projectId: string;
  topic: string;
  /** Memory only: false runs the publisher without a relay on the bus (the same-run baseline). */
  relay: boolean;
  /**
   * false hides the relay's interest check from the bus (bench instrumentation), so the relay decodes and routes
   * every message as it did before the check existed: the same-run "before".
   */
  interest: boolean;
}

/** One step of load: `rate` bus messages/s for `secs` over `calls` calls of `orgs` orgs. */
export interface LoadStep {
  rate: number;
  secs: number;
  calls: number;
  orgs: number;
}

export type FaninParentMessage =
  | { type: 'count'; id: number }
  /** Memory backend: the child publishes the step on its own bus (the memory bus only works inside one process). */
  | { type: 'publish'; id: number; step: LoadStep }
  | { type: 'stop' };

export type FaninChildMessage =
  | { type: 'ready'; pid: number }
  | { type: 'count'; id: number; consumed: number }
  | { type: 'published'; id: number; published: number; errors: number }
  | { type: 'failed'; message: string };
