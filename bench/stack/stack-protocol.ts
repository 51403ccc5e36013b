// IPC between the bench runner and its stack child process: the messages each side sends, as discriminated unions.
import type { BackendName } from '../../test/backends.ts';

/** How the child builds its stack; passed as argv[2] (JSON). */
export interface StackSpec {
  backend: BackendName;
  /** Relay settings that differ from `RELAY_DEFAULTS` (e.g. `ringSize` for the resume scenario). */
  relay?: StackRelayOverrides;
}

/** The relay settings a scenario may change; the rest stay at their production defaults. */
export interface StackRelayOverrides {
  ringSize?: number;
}

/** Counters of one relay call feed (`CallFeed.stats`); null when the relay holds no feed for the call. */
export interface FeedStatsSample {
  storeReads: number;
  gapsFilled: number;
  duplicatesDropped: number;
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

export type ParentMessage =
  { type: 'memory'; id: number } | { type: 'feedStats'; id: number; callId: string } | { type: 'stop' };

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
  | { type: 'feedStats'; id: number; stats: FeedStatsSample | null }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };
