// The worker built from the environment: its own settings, the modules' settings, a backend built by the caller.
import type { Backend } from '../../core/ports/backend.ts';
import { createWorkModules } from '../../core/composition/work-modules.ts';
import type { Clock } from '../../core/support/clock.ts';
import type { Env } from '../../core/support/config.ts';
import type { Logger } from '../../core/support/log.ts';
import { composeWorker, type Worker } from './compose-worker.ts';
import { parseWorkerConfig } from './worker-config.ts';

export async function createWorkerFromConfig(input: {
  env: Env;
  backend: Backend;
  logger: Logger;
  clock: Clock;
}): Promise<Worker> {
  const config = parseWorkerConfig(input.env);
  const modules = await createWorkModules(input);
  return composeWorker({
    dueWork: input.backend.dueWork,
    bus: input.backend.bus,
    modules,
    clock: input.clock,
    logger: input.logger,
    config,
  });
}
