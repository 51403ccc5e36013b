// The relay process's server: HTTP health routes plus the one WebSocket route, upgraded only after the token verifies.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
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
  toErrorEnvelope,
  type ErrorCode,
} from '../../core/support/errors.ts';
import type { Logger } from '../../core/support/log.ts';
import type { CallStore } from '../../core/ports/call-store.ts';
import type { BusSubscription, EventBus } from '../../core/ports/event-bus.ts';
import type { TicketLedger } from '../../core/ports/ticket-ledger.ts';
import { RELAY_WS_PATH } from '../../core/protocol/relay-messages.ts';
import { Connection } from './connection.ts';
import type { RelayConfig } from './relay-config.ts';
import { RelayHub } from './relay-hub.ts';
import { SocketQuota } from './socket-quota.ts';

export interface RelayDeps {
  config: RelayConfig;
  store: CallStore;
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
    logger,
    ringSize: config.ringSize,
    backlogPageSize: config.backlogPageSize,
    maxIdleFeeds: config.maxIdleFeeds,
  });
  const connections = new Set<Connection>();
  const quota = new SocketQuota(config);
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
      else sendJson(res, 500, envelope('internal', 'internal error'));
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
    const url = requestUrl(req);
    if (!url) return sendJson(res, 400, envelope('bad_request', 'request target is not a valid URL'));
    const path = url.pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendJson(res, 405, envelope('method_not_allowed', 'GET only'));
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      return ready()
        ? sendJson(res, 200, { status: 'ready', connections: connections.size, feeds: hub.feedCount })
        : sendJson(res, 503, envelope('unavailable', shuttingDown ? 'shutting down' : 'bus not connected'));
    }
    if (path === RELAY_WS_PATH) {
      res.setHeader('Upgrade', 'websocket');
      return sendJson(res, 426, envelope('bad_request', 'this endpoint only accepts WebSocket upgrades'));
    }
    sendJson(res, 404, envelope('not_found', 'no such route'));
  }

  async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const url = requestUrl(req);
    if (!url) return rejectUpgrade(socket, 400, 'bad_request', 'request target is not a valid URL');
    if (url.pathname !== RELAY_WS_PATH) return rejectUpgrade(socket, 404, 'not_found', 'no such route');
    if (shuttingDown) return rejectUpgrade(socket, 503, 'unavailable', 'shutting down');
    let principal: Principal;
    try {
      principal = await authenticate(req, url);
    } catch (err) {
      const refusal = upgradeRefusal(err);
      if (refusal.status !== 401) logger.error('upgrade authentication failed unexpectedly', { err });
      return rejectUpgrade(socket, refusal.status, refusal.code, refusal.message);
    }
    if (socket.destroyed) return;
    if (shuttingDown) return rejectUpgrade(socket, 503, 'unavailable', 'shutting down');
    const verdict = quota.check(principal);
    if (verdict !== 'ok') {
      logger.warn('socket cap reached; upgrade refused', {
        sub: principal.sub,
        org: principal.org,
        cap: verdict,
      });
      const cap = verdict === 'user' ? config.maxSocketsPerUser : config.maxSocketsPerOrg;
      return rejectUpgrade(socket, 429, 'too_many_connections', `at most ${cap} open sockets per ${verdict}`);
    }
    // Without `verifyClient`, ws accepts synchronously: the check above and the count in `onConnection` happen in
    // the same tick, so concurrent upgrades cannot overshoot the caps.
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, principal));
  }

  /**
   * Who is connecting: `Authorization: Bearer <jwt>`, else `?ticket=` (single use: consumed in the shared ledger),
   * else `?token=<jwt>` (kept for compatibility; it leaves the JWT in URLs and logs).
   */
  async function authenticate(req: IncomingMessage, url: URL): Promise<Principal> {
    const bearer = bearerToken(req.headers.authorization);
    const ticket = url.searchParams.get('ticket');
    if (bearer === undefined && ticket !== null) {
      const verified = await deps.verifyTicket(ticket);
      if (!(await deps.tickets.consume(verified.jti, verified.expiresAt))) {
        throw new AppError('ticket_used', 'ticket already used');
      }
      return verified.principal;
    }
    const token = bearer ?? url.searchParams.get('token') ?? '';
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
      connection = new Connection(ws, principal, {
        hub,
        config,
        verifyToken: deps.verifyToken,
        logger,
        clock: deps.clock,
        onClosed: (c) => {
          if (connections.delete(c)) quota.remove(principal);
        },
      });
    } catch (err) {
      logger.error('socket setup failed', { err });
      ws.terminate();
      return;
    }
    connections.add(connection);
    quota.add(principal);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void onUpgrade(req, socket, head).catch((err: unknown) => {
      logger.error('upgrade failed', { err });
      try {
        rejectUpgrade(socket, 500, 'internal', 'internal error');
      } catch {
        socket.destroy();
      }
    });
  });

  async function listen(port = config.port, host = config.host): Promise<number> {
    if (busSubscription || shuttingDown) throw new TypeError('relay already started');
    busSubscription = await deps.bus.subscribe(busSubscriberName(config.instanceId), (message) =>
      hub.onBusMessage(message),
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

/** The refusal an authentication failure gets: 401 with its code for the caller's mistakes, else 503/500. */
function upgradeRefusal(err: unknown): { status: number; code: ErrorCode; message: string } {
  if (isAppError(err)) {
    if (err.code === 'token_expired') return { status: 401, code: 'token_expired', message: err.message };
    if (err.code === 'ticket_used')
      return { status: 401, code: 'ticket_used', message: 'ticket already used' };
    if (err.code === 'unauthorized')
      return { status: 401, code: 'unauthorized', message: 'invalid or missing token' };
    if (err.code === 'store_unavailable')
      return { status: 503, code: 'unavailable', message: 'retry shortly' };
  }
  return { status: 401, code: 'unauthorized', message: 'invalid or missing token' };
}

function envelope(code: ErrorCode, message: string): unknown {
  return toErrorEnvelope(new AppError(code, message));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
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
  const status =
    err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  rejectUpgrade(socket, status, 'bad_request', 'malformed request');
}

/** Answers a refused upgrade (or unparseable request) with a plain HTTP response; no WebSocket is ever created. */
function rejectUpgrade(socket: Duplex, status: number, code: ErrorCode, message: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(toErrorEnvelope(new AppError(code, message)));
  const reason = {
    400: 'Bad Request',
    401: 'Unauthorized',
    404: 'Not Found',
    408: 'Request Timeout',
    429: 'Too Many Requests',
    431: 'Request Header Fields Too Large',
    500: 'Internal Server Error',
    503: 'Service Unavailable',
  }[status];
  socket.end(
    `HTTP/1.1 ${status} ${reason ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** The request's URL, or undefined when its target does not parse (e.g. `//host:99999/`): a 400, never a crash. */
function requestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://relay');
  } catch {
    return undefined;
  }
}

/**
 * This process's bus subscriber name: the instance id plus a per-start suffix. A restart never takes over the
 * subscription a killed process left behind: that one's leased messages would hold back later events of their calls
 * (Pub/Sub orders per call) until the ack deadline. The new process reads what it missed from the store.
 */
export function busSubscriberName(instanceId: string): string {
  return `relay-${instanceId}-${randomUUID().slice(0, 8)}`;
}
