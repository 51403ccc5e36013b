// IPC of the `sockets` scenario: the relay-only child and the socket load children, as discriminated unions.

/** How the relay-only child is built; passed as argv[2] (JSON). */
export interface RelayChildSpec {
  /** HS256 secret the parent also signs the clients' tokens with. */
  jwtSecret: string;
  /** The org that owns the benchmark call (the clients' tokens carry it). */
  org: string;
  /** `RELAY_MAX_CONNECTIONS` and `RELAY_MAX_SOCKETS_PER_ORG` for the run: above the sizes measured. */
  maxConnections: number;
}

/** The relay child's memory right after a forced GC. */
export interface RelayMemory {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  connections: number;
}

export type RelayParentMessage =
  | { type: 'memory'; id: number }
  /** Appends one final segment to the call through `recordCallEvent`, the webhook's own write path. */
  | { type: 'append'; id: number; text: string }
  /** Writes a V8 heap snapshot into `dir` (profiling runs only). */
  | { type: 'snapshot'; id: number; dir: string }
  /** CPU profile of the relay from `profile-start` to `profile-stop`, written into `dir` (profiling runs only). */
  | { type: 'profile-start'; id: number }
  | { type: 'profile-stop'; id: number; dir: string }
  | { type: 'stop' };

export type RelayChildMessage =
  | { type: 'ready'; relayUrl: string; callId: string; pid: number }
  | { type: 'memory'; id: number; sample: RelayMemory }
  /** `startedAt`: epoch ms (sub-ms precision) right before the append; `seq`: what the store assigned. */
  | { type: 'appended'; id: number; startedAt: number; seq: number }
  | { type: 'snapshot'; id: number; file: string }
  | { type: 'profile'; id: number; file?: string }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };

/** How a load child connects; sent as its first IPC message (thousands of tokens exceed an argv's size limit). */
export interface LoadChildSpec {
  relayUrl: string;
  callId: string;
  /** One token per socket (several sockets may share a principal, as a user's tabs do). */
  tokens: string[];
  /** Source address of this child's sockets (127.x.y.z), so the ephemeral ports of one address never run out. */
  localAddress: string;
  /** Upgrades in flight at once. */
  openConcurrency: number;
}

export type LoadParentMessage =
  | { type: 'start'; spec: LoadChildSpec }
  | { type: 'collect'; seq: number; timeoutMs: number }
  | { type: 'close' };

export type LoadChildMessage =
  | { type: 'subscribed'; sockets: number; errors: string[] }
  /** Epoch ms at which each socket received the segment `seq`; `missing` sockets did not get it in time. */
  | { type: 'collected'; seq: number; receivedAt: number[]; missing: number; duplicates: number }
  | { type: 'failed'; message: string }
  | { type: 'closed' };
