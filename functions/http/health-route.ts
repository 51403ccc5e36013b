// GET /healthz: liveness for the local server, load balancers and every Cloud Function; checks nothing downstream.
import { json } from './http-types.ts';
import type { Route } from './router.ts';

export const healthRoute: Route = {
  method: 'GET',
  pattern: '/healthz',
  handler: async () => json(200, { ok: true }),
};
