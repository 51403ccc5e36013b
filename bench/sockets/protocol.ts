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
  | { type: 'stop' };

export type RelayChildMessage =
  | { type: 'ready'; relayUrl: string; callId: string; pid: number }
  | { type: 'memory'; id: number; sample: RelayMemory }
  /** `startedAt`: epoch ms (sub-ms precision) right before the append; `seq`: what the store assigned. */
  | { type: 'appended'; id: number; startedAt: number; seq: number }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };

/** How a load child connects; passed as argv[2] (JSON). */
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

export type LoadParentMessage = { type: 'collect'; seq: number; timeoutMs: number } | { type: 'close' };

export type LoadChildMessage =
  | { type: 'subscribed'; sockets: number; errors: string[] }
  /** Epoch ms at which each socket received the segment `seq`; `missing` sockets did not get it in time. */
  | { type: 'collected'; seq: number; receivedAt: number[]; missing: number; duplicates: number }
  | { type: 'failed'; message: string }
  | { type: 'closed' };
