// The dashboard server as its own process of `npm start`: wiring only, from the stack's environment.
import { createLogger } from '../../core/support/log.ts';
import { runComponent } from './component-main.ts';
import { startDashboardServer } from './dashboard-server.ts';
import { localOrigin, parseStackConfig } from './stack-config.ts';

const config = parseStackConfig(process.env, { gcloudInstalled: () => false });
const logger = createLogger({ base: { service: 'callrelay-local', component: 'dashboard' } });
await runComponent(logger, () =>
  startDashboardServer({
    distDir: config.webDistDir,
    host: config.host,
    port: config.dashboardPort,
    apiUrl: localOrigin('http', config.host, config.apiPort),
    relayUrl: config.relayPublicUrl,
    logger,
  }),
);
