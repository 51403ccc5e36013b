// IPC between the bench runner and its stack child process: the messages each side sends, as discriminated unions.
import type { RelayConfig } from '../../services/relay/relay-config.ts';
import type { BackendName } from '../../test/backends.ts';

/** How the child builds its stack; passed as argv[2] (JSON). */
export interface StackSpec {
  backend: BackendName;
  /** Socket caps for the relay when a scenario needs more sockets on one token than the defaults allow. */
  relayLimits?: Partial<Pick<RelayConfig, 'maxConnections' | 'maxSocketsPerUser' | 'maxSocketsPerOrg'>>;
}

/** The child's memory as `process.memoryUsage()` reports it right after a forced GC, plus relay state. */
export interface MemorySample {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  /** Open relay sockets. */
  connections: number;
  /** Relay call feeds (followed or idle-cached calls). */
  feeds: number;
}

export type ParentMessage = { type: 'memory'; id: number } | { type: 'stop' };

export type ChildMessage =
  | {
      type: 'ready';
      /** Local server (API + webhook routes), e.g. http://127.0.0.1:40123 */
      apiUrl: string;
      /** Relay WebSocket endpoint on 127.0.0.1. */
      relayUrl: string;
      /** A dispatcher token for the org that owns webhook-created calls. */
      token: string;
      projectId: string;
      pid: number;
    }
  | { type: 'memory'; id: number; sample: MemorySample }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };
