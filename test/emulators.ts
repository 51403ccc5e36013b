// Starts (or reuses) the Firestore and Pub/Sub emulators for integration tests; required when CI=true.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface EmulatorHosts {
  firestore: string;
  pubsub: string;
}

export interface RunningEmulators extends EmulatorHosts {
  stop(): Promise<void>;
}

export function gcloudAvailable(): boolean {
  return spawnSync('gcloud', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A loopback port that was free a moment ago: nothing listens on it until someone binds it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitReady(host: string, child: ChildProcess, name: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} emulator exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://${host}/`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} emulator did not become ready on ${host} within ${timeoutMs} ms`);
}

function startOne(args: string[], host: string): ChildProcess {
  // detached: its own process group, so stop() can end the Java child gcloud spawns.
  return spawn('gcloud', [...args, `--host-port=${host}`], { stdio: 'ignore', detached: true });
}

function killGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.pid === undefined) return resolve();
    child.once('exit', () => resolve());
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      resolve();
    }
    setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      resolve();
    }, 5000).unref();
  });
}

export async function startEmulators(): Promise<RunningEmulators> {
  const firestore = `127.0.0.1:${await freePort()}`;
  const pubsub = `127.0.0.1:${await freePort()}`;
  const fs = startOne(['emulators', 'firestore', 'start'], firestore);
  const ps = startOne(['beta', 'emulators', 'pubsub', 'start'], pubsub);
  try {
    await Promise.all([waitReady(firestore, fs, 'Firestore'), waitReady(pubsub, ps, 'Pub/Sub')]);
  } catch (err) {
    await Promise.all([killGroup(fs), killGroup(ps)]);
    throw err;
  }
  return { firestore, pubsub, stop: async () => void (await Promise.all([killGroup(fs), killGroup(ps)])) };
}
