// The relay process's server: HTTP health routes plus the one WebSocket route, upgraded only after the token verifies.
import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { TicketVerifier } from '../../core/auth/verify-ticket.ts';
import { bearerToken } from '../../core/auth/bearer.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { TokenVerifier } from '../../core/auth/verify-token.ts';
import type { Clock } from '../../core/support/clock.ts';
import {
  AppError,
  CLOSE_CODES,
  isAppError,
  retryAfterHeader,
  toErrorEnvelope,
} from '../../core/support/errors.ts';
import type { Logger } from '../../core/support/log.ts';
import { parseRequestTarget } from '../../core/support/request-target.ts';
import type { CallStore } from '../../core/ports/call-store.ts';
import type { CampaignStore } from '../../core/ports/campaign-store.ts';
import type { BusSubscription, EventBus } from '../../core/ports/event-bus.ts';
import type { TicketLedger } from '../../core/ports/ticket-ledger.ts';
import { RELAY_WS_PATH } from '../../core/protocol/relay-messages.ts';
import { Connection, type ConnectionDeps } from './connection.ts';
import type { RelayConfig } from './relay-config.ts';
import { RelayHub } from './relay-hub.ts';
import { SocketQuota } from './socket-quota.ts';

export interface RelayDeps {
  config: RelayConfig;
  store: CallStore;
  /** Campaign snapshots for `subscribe_campaign`. */
  campaigns: CampaignStore;
  bus: EventBus;
  verifyToken: TokenVerifier;
  /** Checks `?ticket=` (signature, type, expiry); single use is the ledger's job. */
  verifyTicket: TicketVerifier;
  /** Consumed tickets, shared by every relay instance. */
  tickets: TicketLedger;
  logger: Logger;
  clock: Clock;
}

export interface Relay {
  /** Subscribes to the bus (this instance's own subscription), then listens; resolves the bound port. */
  listen(port?: number, host?: string): Promise<number>;
  /** Stops accepting, closes every socket with 1001, releases the bus subscription. Idempotent. */
  close(): Promise<void>;
  /** Routing state, for tests and diagnostics. */
  readonly hub: RelayHub;
  /** Open sockets per principal and org, for tests and diagnostics. */
  readonly quota: SocketQuota;
  readonly connectionCount: number;
}

/** Builds a relay; nothing listens or subscribes until `listen`. */
export function createRelay(deps: RelayDeps): Relay {
  const { config, logger } = deps;
  const hub = new RelayHub({
    store: deps.store,
    campaigns: deps.campaigns,
    logger,
    ringSize: config.ringSize,
    backlogPageSize: config.backlogPageSize,
    maxIdleFeeds: config.maxIdleFeeds,
    utterances: {
      intervalMs: config.utteranceIntervalMs,
      maxCalls: config.utteranceCalls,
      now: () => deps.clock.now().getTime(),
    },
  });
  const connections = new Set<Connection>();
  const quota = new SocketQuota(config);
  // One deps object for every socket: a closure per socket would cost memory on each of tens of thousands.
  const connectionDeps: ConnectionDeps = {
    hub,
    config,
    verifyToken: deps.verifyToken,
    logger,
    clock: deps.clock,
    onClosed: (c) => {
      if (connections.delete(c)) quota.remove(c.owner);
    },
  };
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.maxPayloadBytes,
    clientTracking: false,
  });
  const server = createServer((req, res) => {
    // A throw here would be an uncaught exception: the whole relay would go down with one request.
    try {
      onRequest(req, res);
    } catch (err) {
      logger.error('request failed', { err });
      if (res.headersSent) res.destroy();
      else sendError(res, new AppError('internal', 'internal error'));
    }
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) =>
    onClientError(err, socket, logger),
  );
  let busSubscription: BusSubscription | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let reconcile: NodeJS.Timeout | undefined;
  let shuttingDown = false;
  let closing: Promise<void> | undefined;

  const ready = (): boolean => busSubscription !== undefined && !shuttingDown;

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const target = parseRequestTarget(req.url);
    if (!target) return sendError(res, new AppError('bad_request', 'request target is not a valid URL'));
    const { path } = target;
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendError(res, new AppError('method_not_allowed', 'GET only'));
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      return ready()
        ? sendJson(res, 200, { status: 'ready', connections: connections.size, feeds: hub.feedCount })
        : sendError(res, new AppError('unavailable', shuttingDown ? 'shutting down' : 'bus not connected'));
    }
    if (path === RELAY_WS_PATH) {
      res.setHeader('Upgrade', 'websocket');
      return sendError(
        res,
        new AppError('upgrade_required', 'this endpoint only accepts WebSocket upgrades'),
      );
    }
    sendError(res, new AppError('not_found', 'no such route'));
  }

  async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', destroySocket);
    const target = parseRequestTarget(req.url);
    if (!target)
      return rejectUpgrade(socket, new AppError('bad_request', 'request target is not a valid URL'));
    if (target.path !== RELAY_WS_PATH)
      return rejectUpgrade(socket, new AppError('not_found', 'no such route'));
    if (shuttingDown) return rejectUpgrade(socket, new AppError('unavailable', 'shutting down'));
    let principal: Principal;
    try {
      principal = await authenticate(req, new URLSearchParams(target.search));
    } catch (err) {
      const refusal = upgradeRefusal(err);
      if (refusal.httpStatus !== 401) logger.error('upgrade authentication failed unexpectedly', { err });
      return rejectUpgrade(socket, refusal);
    }
    if (socket.destroyed) return;
    if (shuttingDown) return rejectUpgrade(socket, new AppError('unavailable', 'shutting down'));
    const verdict = quota.check(principal);
    if (verdict !== 'ok') {
      logger.warn('socket cap reached; upgrade refused', {
        sub: principal.sub,
        org: principal.org,
        cap: verdict,
      });
      const cap = verdict === 'user' ? config.maxSocketsPerUser : config.maxSocketsPerOrg;
      return rejectUpgrade(
        socket,
        new AppError('too_many_connections', `at most ${cap} open sockets per ${verdict}`),
      );
    }
    // Without `verifyClient`, ws accepts synchronously: the check above and the count in `onConnection` happen in
    // the same tick, so concurrent upgrades cannot overshoot the caps.
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, principal));
  }

  /**
   * Who is connecting: `Authorization: Bearer <jwt>`, else `?ticket=` (single use: consumed in the shared ledger),
   * else `?token=<jwt>` (kept for compatibility; it leaves the JWT in URLs and logs).
   */
  async function authenticate(req: IncomingMessage, query: URLSearchParams): Promise<Principal> {
    const bearer = bearerToken(req.headers.authorization);
    const ticket = query.get('ticket');
    if (bearer === undefined && ticket !== null) {
      const verified = await deps.verifyTicket(ticket);
      if (!(await deps.tickets.consume(verified.jti, verified.expiresAt))) {
        throw new AppError('ticket_used', 'ticket already used');
      }
      return verified.principal;
    }
    const token = bearer ?? query.get('token') ?? '';
    if (!token) throw new AppError('unauthorized', 'missing token');
    return deps.verifyToken(token);
  }

  function onConnection(ws: WebSocket, principal: Principal): void {
    if (connections.size >= config.maxConnections || shuttingDown) {
      const entry = shuttingDown ? CLOSE_CODES.server_shutdown : CLOSE_CODES.overloaded;
      ws.close(entry.code, entry.reason);
      setTimeout(() => ws.terminate(), config.closeGraceMs).unref();
      return;
    }
    let connection: Connection;
    try {
      connection = new Connection(ws, principal, connectionDeps);
    } catch (err) {
      logger.error('socket setup failed', { err });
      ws.terminate();
      return;
    }
    connections.add(connection);
    quota.add(connection.owner);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void onUpgrade(req, socket, head).catch((err: unknown) => {
      logger.error('upgrade failed', { err });
      try {
        rejectUpgrade(socket, new AppError('internal', 'internal error'));
      } catch {
        socket.destroy();
      }
    });
  });

  async function listen(port = config.port, host = config.host): Promise<number> {
    if (busSubscription || shuttingDown) throw new TypeError('relay already started');
    // Only what someone on this instance watches is decoded and routed: the fan-in of unwatched calls costs an ack.
    busSubscription = await deps.bus.subscribe(
      busSubscriberName(config.instanceId),
      (message) => hub.onBusMessage(message),
      { wants: (route) => hub.wants(route) },
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    heartbeat = setInterval(() => {
      for (const connection of connections) connection.heartbeat();
    }, config.heartbeatMs);
    if (config.reconcileMs > 0) {
      let running = false;
      reconcile = setInterval(() => {
        if (running) return;
        running = true;
        void hub.reconcileActive().finally(() => (running = false));
      }, config.reconcileMs);
    }
    const bound = (server.address() as AddressInfo).port;
    logger.info('relay listening', { host, port: bound, instanceId: config.instanceId });
    return bound;
  }

  async function shutdown(): Promise<void> {
    shuttingDown = true;
    clearInterval(heartbeat);
    clearInterval(reconcile);
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const socketsClosed = Promise.all([...connections].map((c) => c.closed()));
    for (const connection of connections) connection.close('server_shutdown');
    const subscription = busSubscription;
    busSubscription = undefined;
    const busClosed = subscription
      ?.close()
      .catch((err: unknown) => logger.warn('bus subscription close failed', { err }));
    await Promise.all([socketsClosed, busClosed]);
    server.closeAllConnections();
    await serverClosed;
    wss.close();
    logger.info('relay closed', { instanceId: config.instanceId });
  }

  return {
    listen,
    close: () => (closing ??= shutdown()),
    hub,
    quota,
    get connectionCount() {
      return connections.size;
    },
  };
}

/** A socket's `error` listener during and after the upgrade: one shared function, no closure per socket. */
function destroySocket(this: Duplex): void {
  this.destroy();
}

/** The refusal an authentication failure gets: 401 with its code for the caller's mistakes, else 503/500. */
function upgradeRefusal(err: unknown): AppError {
  if (isAppError(err)) {
    if (err.code === 'token_expired') return new AppError('token_expired', err.message);
    if (err.code === 'ticket_used') return new AppError('ticket_used', 'ticket already used');
    if (err.code === 'store_unavailable') return new AppError('unavailable', 'retry shortly');
  }
  return new AppError('unauthorized', 'invalid or missing token');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** An error's response: its status from the catalogue, its envelope, and `Retry-After` when it has one. */
function sendError(res: ServerResponse, err: AppError): void {
  const retryAfter = retryAfterHeader(err);
  if (retryAfter !== undefined) res.setHeader('Retry-After', retryAfter);
  sendJson(res, err.httpStatus, toErrorEnvelope(err));
}

/**
 * Bytes Node's HTTP parser refused (garbage, oversized headers, a bad request line, a header timeout): answer with
 * the matching status and the error envelope, log, close. Without a listener Node answers too, but says nothing.
 */
function onClientError(err: NodeJS.ErrnoException, socket: Duplex, logger: Logger): void {
  logger.info('malformed request refused', { code: err.code });
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const code =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? 'headers_too_large'
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'request_timeout'
        : 'bad_request';
  rejectUpgrade(socket, new AppError(code, 'malformed request'));
}

/**
 * Answers a refused upgrade (or unparseable request) with a plain HTTP response; no WebSocket is ever created. The
 * status comes from the error catalogue and its reason phrase from node's table, as `ws`'s `abortHandshake` does.
 */
function rejectUpgrade(socket: Duplex, err: AppError): void {
  if (socket.destroyed) return;
  const status = err.httpStatus;
  const body = JSON.stringify(toErrorEnvelope(err));
  const retryAfter = retryAfterHeader(err);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\n` +
      (retryAfter === undefined ? '' : `Retry-After: ${retryAfter}\r\n`) +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * This process's bus subscriber name: the instance id plus a per-start suffix. A restart never takes over the
 * subscription a killed process left behind: that one's leased messages would hold back later events of their calls
 * (Pub/Sub orders per call) until the ack deadline. The new process reads what it missed from the store.
 */
export function busSubscriberName(instanceId: string): string {
  return `relay-${instanceId}-${randomUUID().slice(0, 8)}`;
}
