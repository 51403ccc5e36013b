// The worker as its own process of `npm start` on the emulators (its own backend clients, as a deployment would
// have): due work every SCHEDULER_TICK_MS and the durable bus group. Serves /healthz for the supervisor's eyes only.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBackend } from '../../core/composition/backend.ts';
import { systemClock } from '../../core/support/clock.ts';
import { parseBackendConfig } from '../../core/support/config.ts';
import { createLogger } from '../../core/support/log.ts';
import { createWorkerFromConfig } from '../../functions/worker/worker-from-config.ts';
import { runComponent } from './component-main.ts';

const logger = createLogger({ base: { service: 'callrelay-local', component: 'worker' } });
await runComponent(logger, async () => {
  const backend = await createBackend(parseBackendConfig(process.env), { logger, clock: systemClock });
  const worker = await createWorkerFromConfig({ env: process.env, backend, logger, clock: systemClock });
  await worker.start();
  const health = createServer((req, res) => {
    const ok = req.url === '/healthz';
    res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(ok ? { status: 'ok', busy: worker.runner.busy } : { error: { code: 'not_found' } }),
    );
  });
  await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
  const { port } = health.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      health.close();
      await worker.stop();
      await backend.close();
    },
  };
});
