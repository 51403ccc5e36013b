// Fails fast, naming the port and its setting, when something already listens where the stack wants to.
import { createServer } from 'node:net';

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly what: string,
    readonly setting: string,
  ) {
    super(
      `port ${port} (${what}) is already in use: stop whatever uses it or set ${setting} to another port`,
    );
    this.name = 'PortInUseError';
  }
}

export interface WantedPort {
  port: number;
  host: string;
  /** e.g. "relay". */
  what: string;
  /** The environment variable that moves it, e.g. `RELAY_PORT`. */
  setting: string;
}

/** Checks every port (0 = any, skipped); rejects with the first one taken. */
export async function assertPortsFree(wanted: WantedPort[]): Promise<void> {
  for (const entry of wanted) {
    if (entry.port === 0) continue;
    if (!(await isFree(entry.port, entry.host)))
      throw new PortInUseError(entry.port, entry.what, entry.setting);
  }
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
