// Child process of the `sockets` scenario: the relay alone, composed as production does, on the memory backend.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { composeRelay } from '../../services/relay/compose-relay.ts';
import { RELAY_DEFAULTS } from '../../services/relay/relay-config.ts';
import { createBackend } from '../../core/composition/backend.ts';
import { parseAuthConfig } from '../../core/auth/auth-config.ts';
import { recordCallEvent } from '../../core/operations/record-call-event.ts';
import { dedupeKeys } from '../../core/domain/dedupe-key.ts';
import { RELAY_WS_PATH } from '../../core/protocol/relay-messages.ts';
import { assertNever } from '../../core/support/assert-never.ts';
import { createLogger } from '../../core/support/log.ts';
import type { RelayChildMessage, RelayChildSpec, RelayMemory, RelayParentMessage } from './protocol.ts';

function send(message: RelayChildMessage): void {
  process.send?.(message);
}

/**
 * The memory bus only works inside one process, so the webhook's write path (`recordCallEvent`: append, then
 * publish what is stored) runs here on an IPC command; nothing else of the functions is loaded, so the RSS is
 * the relay's plus the store's few events.
 */
async function main(spec: RelayChildSpec): Promise<void> {
  const logger = createLogger({ level: 'ERROR' });
  const backend = await createBackend(
    { backend: 'memory', projectId: 'demo-bench-sockets', topic: 'callrelay-events' },
    { logger },
  );
  const auth = parseAuthConfig({ JWT_SECRET: spec.jwtSecret });
  const { relay, port } = await composeRelay({
    config: {
      ...RELAY_DEFAULTS,
      port: 0,
      host: '127.0.0.1',
      instanceId: `bench${process.pid}`,
      // Capacity is what is measured: the instance and org caps must not refuse the sockets first.
      maxConnections: spec.maxConnections,
      maxSocketsPerOrg: spec.maxConnections,
    },
    backend,
    auth,
    logger,
  });
  const call = await backend.store.resolveCall({ callSid: 'CAbenchsockets' }, spec.org);
  let sequenceId = 0;

  const sample = (): RelayMemory => {
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    return {
      rssBytes: m.rss,
      heapUsedBytes: m.heapUsed,
      heapTotalBytes: m.heapTotal,
      externalBytes: m.external,
      arrayBuffersBytes: m.arrayBuffers,
      connections: relay.connectionCount,
    };
  };
  const append = async (id: number, text: string): Promise<void> => {
    const n = ++sequenceId;
    const startedAt = performance.timeOrigin + performance.now();
    const result = await recordCallEvent(
      { store: backend.store, bus: backend.bus, logger },
      call.callId,
      {
        dedupeKey: dedupeKeys.twilioTranscription('GTbenchsockets', String(n)),
        body: { kind: 'segment', speaker: 'driver', text, source: 'twilio_realtime' },
      },
      'reject',
    );
    if (result.outcome === 'ignored') throw new Error('segment ignored');
    send({ type: 'appended', id, startedAt, seq: result.event.seq });
  };
  const profiler = cpuProfiler();
  const stop = async (): Promise<void> => {
    await relay.close();
    await backend.close();
    send({ type: 'stopped' });
    process.disconnect?.();
  };
  process.on('message', (message: RelayParentMessage) => {
    switch (message.type) {
      case 'memory':
        return send({ type: 'memory', id: message.id, sample: sample() });
      case 'append':
        return void append(message.id, message.text).catch(fail);
      case 'snapshot':
        return send({
          type: 'snapshot',
          id: message.id,
          file: writeHeapSnapshot(join(message.dir, `relay-${process.pid}-${Date.now()}.heapsnapshot`)),
        });
      case 'profile-start':
        return void profiler
          .start()
          .then(() => send({ type: 'profile', id: message.id }))
          .catch(fail);
      case 'profile-stop':
        return void profiler
          .stop(message.dir)
          .then((file) => send({ type: 'profile', id: message.id, file }))
          .catch(fail);
      case 'stop':
        return void stop().catch(fail);
      default:
        return assertNever(message);
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({
    type: 'ready',
    relayUrl: `ws://127.0.0.1:${port}${RELAY_WS_PATH}`,
    callId: call.callId,
    pid: process.pid,
  });
}

/** The V8 CPU profiler over the inspector protocol, so a profile can cover the fan-out alone (not the upgrades). */
function cpuProfiler(): { start(): Promise<void>; stop(dir: string): Promise<string> } {
  const session = new Session();
  session.connect();
  const post = (method: string): Promise<unknown> =>
    new Promise((resolve, reject) =>
      session.post(method, (err, result) => (err ? reject(err) : resolve(result))),
    );
  return {
    start: async () => {
      await post('Profiler.enable');
      await post('Profiler.start');
    },
    stop: async (dir) => {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      const file = join(dir, `relay-fanout-${process.pid}-${Date.now()}.cpuprofile`);
      await writeFile(file, JSON.stringify(profile));
      return file;
    },
  };
}

function fail(err: unknown): void {
  send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exitCode = 1;
  process.disconnect?.();
}

main(JSON.parse(process.argv[2] ?? '{}') as RelayChildSpec).catch(fail);
