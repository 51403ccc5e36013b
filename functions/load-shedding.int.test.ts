// Overload: a functions process works on at most MAX_IN_FLIGHT requests and answers the rest 503 at once; the
// providers' retries then store every event exactly once (memory and the emulators).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, emulatorsAvailable, type BackendName } from '../test/backends.ts';
import { healthRoute } from './http/health-route.ts';
import { ingestRoutes } from './webhooks/webhook-routes.ts';
import { startLocalServer, type LocalServer } from './local-server.ts';
import { WEBHOOK_PATHS } from './webhooks/webhook-deps.ts';
import {
  DEFAULT_ORG,
  openTestBackend,
  post,
  silentLogger,
  statusParams,
  transcriptionParams,
  twilioRequest,
  uid,
  type TestBackend,
} from './webhooks/webhook.test-kit.ts';

describe.each(BACKENDS)('load shedding on the %s backend', (name: BackendName) => {
  const skip = name === 'google' && !emulatorsAvailable();
  let backend: TestBackend;
  let server: LocalServer;

  beforeAll(async () => {
    if (skip) return;
    backend = await openTestBackend(name);
    server = await startLocalServer({
      routes: [...ingestRoutes(backend.deps), healthRoute],
      port: 0,
      logger: silentLogger(),
      projectId: 'demo',
      maxInFlight: 4,
    });
  });
  afterAll(async () => {
    if (skip) return;
    await server.close();
    await backend.close();
  });

  it.skipIf(skip)(
    'answers a burst beyond the limit 503 + Retry-After at once; retries of the refused store everything once',
    { timeout: 60_000 },
    async () => {
      const callSid = uid('CA');
      await post(
        server.url,
        twilioRequest(WEBHOOK_PATHS.twilioStatus, statusParams(callSid, 'in-progress', 2)),
      );
      const requests = Array.from({ length: 60 }, (_, i) =>
        twilioRequest(
          WEBHOOK_PATHS.twilioTranscription,
          transcriptionParams(callSid, i + 1, { text: `line ${i}` }),
        ),
      );
      let pending = requests;
      let refusedInFirstBurst = 0;
      for (let round = 0; pending.length > 0; round++) {
        expect(round, 'rounds of provider retries').toBeLessThan(40);
        const results = await Promise.all(
          pending.map(async (req) => {
            const res = await fetch(`${server.url}${req.path}`, {
              method: 'POST',
              headers: req.headers,
              body: req.body,
            });
            if (res.status === 503) {
              expect(res.headers.get('retry-after')).toBe('1');
              expect(await res.json()).toMatchObject({ error: { code: 'unavailable' } });
            } else {
              expect(res.status).toBe(200);
              await res.arrayBuffer();
            }
            return { req, refused: res.status === 503 };
          }),
        );
        if (round === 0) refusedInFirstBurst = results.filter((r) => r.refused).length;
        pending = results.filter((r) => r.refused).map((r) => r.req);
        await new Promise((r) => setTimeout(r, 20));
      }
      // The memory store answers in microseconds, so four in flight are rarely all busy; Firestore is slower.
      if (name === 'google') expect(refusedInFirstBurst).toBeGreaterThan(0);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const call = await backend.deps.store.resolveCall({ callSid }, DEFAULT_ORG);
      const segments = (await backend.deps.store.eventsAfter(call.callId, 0, 1000)).filter(
        (e) => e.kind === 'segment',
      );
      expect(segments).toHaveLength(60);
      expect(new Set(segments.map((e) => ('text' in e ? e.text : ''))).size).toBe(60);
    },
  );
});
