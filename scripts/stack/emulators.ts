// Starts the Firestore and Pub/Sub emulators (gcloud) on given hosts and waits until both answer.
import type { Env } from '../../core/support/config.ts';
import type { Logger } from '../../core/support/log.ts';
import { spawnGroup, type ManagedChild } from './child-process.ts';

/** How long a cold emulator start may take (the first run unpacks Java jars). */
export const EMULATOR_START_TIMEOUT_MS = 90_000;

export interface Emulators {
  firestoreHost: string;
  pubsubHost: string;
  /** Resolves with e.g. "the pubsub-emulator exited (SIGKILL)" when either emulator exits, stopped or not. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

export async function startEmulators(
  hosts: { firestoreHost: string; pubsubHost: string; projectId: string },
  deps: { env: Env; logger: Logger; signal?: AbortSignal },
): Promise<Emulators> {
  const children: ManagedChild[] = [];
  const stop = async () => void (await Promise.all(children.map((c) => c.stop())));
  const log = (name: string) => (line: string) => deps.logger.debug(line, { component: name });
  try {
    const firestore = spawnGroup(
      'firestore-emulator',
      'gcloud',
      ['emulators', 'firestore', 'start', `--host-port=${hosts.firestoreHost}`, '--quiet'],
      { env: deps.env, onLine: log('firestore-emulator') },
    );
    children.push(firestore);
    const pubsub = spawnGroup(
      'pubsub-emulator',
      'gcloud',
      [
        'beta',
        'emulators',
        'pubsub',
        'start',
        `--host-port=${hosts.pubsubHost}`,
        `--project=${hosts.projectId}`,
        '--quiet',
      ],
      { env: deps.env, onLine: log('pubsub-emulator') },
    );
    children.push(pubsub);
    await Promise.all([
      waitReady(hosts.firestoreHost, firestore, deps.signal),
      waitReady(hosts.pubsubHost, pubsub, deps.signal),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  const exited = Promise.race(
    children.map((child) => child.exited.then((exit) => `the ${child.name} exited (${exit})`)),
  );
  return { ...hosts, exited, stop };
}

async function waitReady(host: string, child: ManagedChild, signal: AbortSignal | undefined): Promise<void> {
  const deadline = Date.now() + EMULATOR_START_TIMEOUT_MS;
  let exited: number | string | undefined;
  void child.exited.then((code) => (exited = code));
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (exited !== undefined)
      throw new Error(`the ${child.name} exited (${exited}) before it was ready on ${host}`);
    try {
      const response = await fetch(`http://${host}/`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the ${child.name} did not answer on ${host} within ${EMULATOR_START_TIMEOUT_MS / 1000} s`);
}
