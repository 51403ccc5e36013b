// IPC between the bench runner and its stack child process: the messages each side sends, as discriminated unions.
import type { RelayConfig } from '../../services/relay/relay-config.ts';
import type { BackendName } from '../../test/backends.ts';
import type { FirestoreStats } from './firestore-meter.ts';

/**
 * Which servers one child runs: `all` (functions server + relay in one process; the only choice on the memory
 * backend, whose bus lives in one process), `functions` (webhooks + API) or `relay`, as deployed on Google.
 */
export type StackRole = 'all' | 'functions' | 'relay';

/** How the child builds its stack; passed as argv[2] (JSON). */
export interface StackSpec {
  backend: BackendName;
  /** Relay settings that differ from `RELAY_DEFAULTS` (e.g. `ringSize` for the resume scenario). */
  relay?: StackRelayOverrides;
  /** Default `all`. */
  role?: StackRole;
  /** Shared by the children of one split stack (the relay joins the functions child's project); default fresh. */
  projectId?: string;
  /** Shared JWT secret, so the relay accepts the token the functions child signs; default fresh. */
  jwtSecret?: string;
  /** Count Firestore RPCs, documents and per-document write times in this child (bench instrumentation). */
  meterFirestore?: boolean;
}

/** The relay settings a scenario may change; the rest stay at their production defaults. */
export type StackRelayOverrides = Partial<
  Pick<RelayConfig, 'ringSize' | 'maxConnections' | 'maxSocketsPerUser' | 'maxSocketsPerOrg'>
>;

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
  | { type: 'memory'; id: number }
  | { type: 'feedStats'; id: number; callId: string }
  | { type: 'firestore-stats'; id: number; reset: boolean }
  | { type: 'stop' };

export type ChildMessage =
  | {
      type: 'ready';
      /** Local server (API + webhook routes), e.g. http://127.0.0.1:40123; empty in a relay-only child. */
      apiUrl: string;
      /** Relay WebSocket endpoint on 127.0.0.1; empty in a functions-only child. */
      relayUrl: string;
      /** A dispatcher token for the org that owns webhook-created calls (empty in a relay-only child). */
      token: string;
      projectId: string;
      jwtSecret: string;
      pid: number;
    }
  | { type: 'memory'; id: number; sample: MemorySample }
  | { type: 'feedStats'; id: number; stats: FeedStatsSample | null }
  | { type: 'firestore-stats'; id: number; stats: FirestoreStats }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };
