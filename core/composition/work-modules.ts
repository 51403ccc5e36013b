// Builds the background capabilities the worker runs (the WorkModules) from configuration and a built backend.
import type { Backend } from '../ports/backend.ts';
import type { WorkModule } from '../operations/work-module.ts';
import type { Clock } from '../support/clock.ts';
import type { Env } from '../support/config.ts';
import type { Logger } from '../support/log.ts';

export interface WorkModulesInput {
  env: Env;
  backend: Backend;
  logger: Logger;
  clock: Clock;
}

/** Every module, each from its own settings in `env` (parsed here, once, so a bad setting fails at start). */
export async function createWorkModules(_input: WorkModulesInput): Promise<WorkModule[]> {
  return [];
}
