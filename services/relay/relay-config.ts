// The relay's configuration, parsed once from the environment at start; every limit is named here with its reason.
import { randomUUID } from 'node:crypto';
import { integer, optionalString, stringWithDefault, type Env } from '../../core/support/config.ts';

/** Limits and timings of one relay instance. Defaults are documented in docs/PROTOCOL.md. */
export interface RelayConfig {
  /** HTTP/WebSocket port (`RELAY_PORT`, else `PORT`, default 3001; 0 = any free port). */
  port: number;
  /** Interface to bind (`RELAY_HOST`, default 0.0.0.0 as Cloud Run needs; 127.0.0.1 keeps a local relay private). */
  host: string;
  /** Names this instance's bus subscription (`RELAY_INSTANCE_ID`, default a random id). */
  instanceId: string;
  /** Protocol ping interval; a peer that has not answered the previous ping is terminated (`HEARTBEAT_MS`, 25 s). */
  heartbeatMs: number;
  /** How long an expired token may keep its socket while the client sends `auth` (`TOKEN_GRACE_MS`, 30 s). */
  tokenGraceMs: number;
  /** Largest inbound frame; larger closes with 1009 (`RELAY_MAX_PAYLOAD_BYTES`, 64 KiB: client frames are tiny). */
  maxPayloadBytes: number;
  /** Call and campaign subscriptions one socket holds together (`RELAY_MAX_SUBSCRIPTIONS`, 100: dashboards open few). */
  maxSubscriptionsPerSocket: number;
  /** Unsent bytes queued for one socket before it is closed with 4008 (`RELAY_MAX_BUFFERED_BYTES`, 1 MiB). */
  maxBufferedBytes: number;
  /**
   * Inbound frames per second one socket may send on average; beyond, close 1008 (`RELAY_MAX_MESSAGES_PER_SEC`, 20:
   * a dashboard sends a few per minute; each subscribe may cost a store read). Bursts: see `inboundBurst`.
   */
  maxMessagesPerSec: number;
  /**
   * Backlog events replayed to a socket that cost as much as one inbound frame (`RELAY_REPLAY_PER_MESSAGE`,
   * 50): a subscribe replaying 3000 events costs 60 frames, so a full resubscribe still fits a burst, while
   * unsubscribe/subscribe loops are held to `RELAY_MAX_MESSAGES_PER_SEC` × 50 replayed events per second, then 1008.
   */
  replayEventsPerMessage: number;
  /**
   * Open sockets per instance; more are closed with 1013 (`RELAY_MAX_CONNECTIONS`, 20000). Set from `npm run bench --
   * --scenario sockets` (docs/BENCHMARKS.md): a subscribed socket costs ~5 KB of RSS (idle relay ~100 MiB), so 20,000
   * need ~200 MiB of a 512 MiB instance, leaving room for GC, rings and send buffers (memory alone would allow ~49,000
   * within 70 % of 512 MiB). What binds is fan-out time: one event loop writes a segment to every subscriber at ~10–14 µs
   * of CPU each, so 20,000 subscribers of one call take ~200–280 ms — about the 250 ms a live transcript allows.
   * Raise it only with a cheaper send path, measured by the same scenario. Cloud Run deploys set it to the service's
   * concurrency (at most 1000, infra/deploy.sh).
   */
  maxConnections: number;
  /**
   * Open sockets one principal (org + `sub`) may hold on this instance; more are refused at the upgrade with 429
   * `too_many_connections` (`RELAY_MAX_SOCKETS_PER_USER`, 20: a dashboard tab holds one, so 20 covers many tabs and
   * devices plus half-dead sockets of a flapping network until the heartbeat reaps them).
   */
  maxSocketsPerUser: number;
  /**
   * Open sockets one org may hold on this instance; more → 429 `too_many_connections` (`RELAY_MAX_SOCKETS_PER_ORG`,
   * 1000: hundreds of dispatchers' dashboards fit, while one org's runaway clients cannot take all of a default
   * instance's 20000; lower it where many orgs share instances).
   */
  maxSocketsPerOrg: number;
  /** Recent events kept per call so resumes need no store read (`RELAY_RING_SIZE`, 256). */
  ringSize: number;
  /** Calls without subscribers whose feed (and ring) is kept for quick resumes (`RELAY_IDLE_FEEDS`, 500). */
  maxIdleFeeds: number;
  /** Events read from the store per page when replaying a backlog (`RELAY_BACKLOG_PAGE`, 500). */
  backlogPageSize: number;
  /** After a close frame, how long a peer gets to read it before the socket is destroyed (`RELAY_CLOSE_GRACE_MS`, 3 s). */
  closeGraceMs: number;
  /**
   * How often calls with subscribers are checked against the store, so a call's last event lost on the bus still
   * arrives (`RELAY_RECONCILE_MS`, 15 s; 0 = off). Costs one call read per watched call per round.
   */
  reconcileMs: number;
  /**
   * At most one `utterances` frame per socket per this interval; words spoken meanwhile are coalesced per call, latest
   * wins (`RELAY_UTTERANCE_MS`, 250: 4 frames/s feel live, and 200 calls × several partials/s cost a board
   * 4 frames/s instead of hundreds).
   */
  utteranceIntervalMs: number;
  /**
   * Calls whose latest utterance one org keeps on this instance while a board of the org listens
   * (`RELAY_UTTERANCE_CALLS`, 1000: five times the 200 concurrent calls an org is sized for).
   */
  utteranceCalls: number;
  /** Whole-shutdown budget, inside Cloud Run's 10 s SIGTERM window (`RELAY_SHUTDOWN_MS`, 8 s). */
  shutdownMs: number;
}

export const RELAY_DEFAULTS = {
  port: 3001,
  host: '0.0.0.0',
  heartbeatMs: 25_000,
  tokenGraceMs: 30_000,
  maxPayloadBytes: 64 * 1024,
  maxSubscriptionsPerSocket: 100,
  maxBufferedBytes: 1024 * 1024,
  maxMessagesPerSec: 20,
  replayEventsPerMessage: 50,
  maxConnections: 20_000,
  maxSocketsPerUser: 20,
  maxSocketsPerOrg: 1000,
  ringSize: 256,
  maxIdleFeeds: 500,
  backlogPageSize: 500,
  closeGraceMs: 3000,
  reconcileMs: 15_000,
  utteranceIntervalMs: 250,
  utteranceCalls: 1000,
  shutdownMs: 8000,
} as const satisfies Omit<RelayConfig, 'instanceId'>;

/** Reads `RELAY_*`, `HEARTBEAT_MS` and `TOKEN_GRACE_MS`; throws `ConfigError` naming the bad variable. */
export function parseRelayConfig(env: Env = process.env): RelayConfig {
  const d = RELAY_DEFAULTS;
  return {
    // Cloud Run injects PORT; RELAY_PORT wins when both are set.
    port: integer(env, 'RELAY_PORT', integer(env, 'PORT', d.port, { min: 0, max: 65535 }), {
      min: 0,
      max: 65535,
    }),
    host: stringWithDefault(env, 'RELAY_HOST', d.host),
    instanceId: optionalString(env, 'RELAY_INSTANCE_ID') ?? randomUUID().slice(0, 12),
    heartbeatMs: integer(env, 'HEARTBEAT_MS', d.heartbeatMs, { min: 50, max: 600_000 }),
    tokenGraceMs: integer(env, 'TOKEN_GRACE_MS', d.tokenGraceMs, { min: 0, max: 600_000 }),
    maxPayloadBytes: integer(env, 'RELAY_MAX_PAYLOAD_BYTES', d.maxPayloadBytes, {
      min: 1024,
      max: 1024 * 1024,
    }),
    maxSubscriptionsPerSocket: integer(env, 'RELAY_MAX_SUBSCRIPTIONS', d.maxSubscriptionsPerSocket, {
      min: 1,
    }),
    maxBufferedBytes: integer(env, 'RELAY_MAX_BUFFERED_BYTES', d.maxBufferedBytes, { min: 16 * 1024 }),
    maxMessagesPerSec: integer(env, 'RELAY_MAX_MESSAGES_PER_SEC', d.maxMessagesPerSec, {
      min: 1,
      max: 10_000,
    }),
    replayEventsPerMessage: integer(env, 'RELAY_REPLAY_PER_MESSAGE', d.replayEventsPerMessage, {
      min: 1,
      max: 100_000,
    }),
    maxConnections: integer(env, 'RELAY_MAX_CONNECTIONS', d.maxConnections, { min: 1 }),
    maxSocketsPerUser: integer(env, 'RELAY_MAX_SOCKETS_PER_USER', d.maxSocketsPerUser, { min: 1 }),
    maxSocketsPerOrg: integer(env, 'RELAY_MAX_SOCKETS_PER_ORG', d.maxSocketsPerOrg, { min: 1 }),
    ringSize: integer(env, 'RELAY_RING_SIZE', d.ringSize, { min: 0, max: 100_000 }),
    maxIdleFeeds: integer(env, 'RELAY_IDLE_FEEDS', d.maxIdleFeeds, { min: 0 }),
    backlogPageSize: integer(env, 'RELAY_BACKLOG_PAGE', d.backlogPageSize, { min: 1, max: 10_000 }),
    closeGraceMs: integer(env, 'RELAY_CLOSE_GRACE_MS', d.closeGraceMs, { min: 0, max: 30_000 }),
    reconcileMs: integer(env, 'RELAY_RECONCILE_MS', d.reconcileMs, { min: 0, max: 3_600_000 }),
    utteranceIntervalMs: integer(env, 'RELAY_UTTERANCE_MS', d.utteranceIntervalMs, {
      min: 10,
      max: 10_000,
    }),
    utteranceCalls: integer(env, 'RELAY_UTTERANCE_CALLS', d.utteranceCalls, { min: 1, max: 100_000 }),
    shutdownMs: integer(env, 'RELAY_SHUTDOWN_MS', d.shutdownMs, { min: 1000, max: 9500 }),
  };
}
