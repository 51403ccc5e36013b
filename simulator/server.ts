// startProviderSimulator: wires state, players and the provider APIs behind one local HTTP server.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../core/support/log.ts';
import { CallPlayer } from './call-player.ts';
import { Deliverer } from './delivery.ts';
import { ElevenLabsApi, elevenLabsError } from './elevenlabs-api.ts';
import { parseRequestTarget } from '../core/support/request-target.ts';
import {
  BodyTooLargeError,
  formToObject,
  json,
  MalformedRequestError,
  readBody,
  type SimRequest,
  type SimResponse,
} from './http-io.ts';
import { seededRandom } from './rng.ts';
import { buildRoutes, matchRoute, type Route } from './routes.ts';
import { Scheduler } from './scheduler.ts';
import {
  DialCounter,
  scriptForNumber,
  SCRIPT_SELECTIONS,
  SCRIPTS,
  type ScriptSelection,
} from './scripts/index.ts';
import type { CallScript } from './scripts/script.ts';
import { SimulatorState } from './state.ts';
import { Transcriptions } from './transcription.ts';
import { TwilioApi, twilioError } from './twilio-api.ts';
import type {
  ProviderSimulator,
  ProviderSimulatorOptions,
  RecordedRequest,
  RouteFault,
  ScriptContext,
  SimRoute,
} from './types.ts';

/** Default wall-clock wait for a REST-started transcription in elevenlabs dial mode (see the option). */
export const DEFAULT_TRANSCRIPTION_WAIT_MS = 2_000;

/** Requests kept for `requests()`; older ones are dropped so a long `npm start` or a flood cannot grow memory forever. */
export const MAX_RECORDED_REQUESTS = 10_000;

const STATUS_TEXT: Record<number, [string, string]> = {
  400: ['bad_request', 'Bad Request'],
  429: ['too_many_requests', 'Too Many Requests'],
  500: ['internal_server_error', 'Internal Server Error'],
  502: ['bad_gateway', 'Bad Gateway'],
  503: ['service_unavailable', 'Service Unavailable'],
  504: ['gateway_timeout', 'Gateway Timeout'],
};

function providerFailure(provider: Route['provider'], status: number): SimResponse {
  const [code, message] = STATUS_TEXT[status] ?? ['error', `HTTP ${status}`];
  return provider === 'twilio'
    ? twilioError(status, 20000 + status, message)
    : elevenLabsError(status, code, message);
}

function checkOptions(o: ProviderSimulatorOptions): void {
  for (const key of [
    'twilioAccountSid',
    'twilioAuthToken',
    'elevenlabsApiKey',
    'elevenlabsWebhookSecret',
    'elevenlabsWebhookUrl',
  ] as const) {
    if (typeof o[key] !== 'string' || o[key] === '')
      throw new TypeError(`startProviderSimulator: ${key} is required`);
  }
  for (const rate of [o.faults?.duplicateRate, o.faults?.dropRate]) {
    if (rate !== undefined && !(rate >= 0 && rate <= 1))
      throw new TypeError('fault rates must be between 0 and 1');
  }
  const script = o.script;
  if (typeof script === 'string' && !isSelection(script)) throw new TypeError(`unknown script ${script}`);
}

function isSelection(name: string): name is ScriptSelection {
  return (SCRIPT_SELECTIONS as readonly string[]).includes(name);
}

function recordedBody(req: SimRequest): unknown {
  if (req.rawBody === '') return null;
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('json')) {
    try {
      return JSON.parse(req.rawBody) as unknown;
    } catch {
      return req.rawBody;
    }
  }
  return type.includes('form') ? formToObject(new URLSearchParams(req.rawBody)) : req.rawBody;
}

export async function startProviderSimulator(options: ProviderSimulatorOptions): Promise<ProviderSimulator> {
  checkOptions(options);
  const logger = options.logger ?? createLogger({ base: { component: 'provider-simulator' } });
  const scheduler = new Scheduler(options.speed ?? 1, (err) =>
    logger.error('simulator background task failed', { error: err }),
  );
  const state = new SimulatorState();
  const deliverer = new Deliverer({
    scheduler,
    deliverTo: options.deliverTo ?? ((url) => url),
    logger,
    duplicateRate: options.faults?.duplicateRate ?? 0,
    dropRate: options.faults?.dropRate ?? 0,
  });
  const credentials = { accountSid: options.twilioAccountSid, authToken: options.twilioAuthToken };
  const transcriptions = new Transcriptions(deliverer, credentials);
  const player = new CallPlayer({
    state,
    scheduler,
    deliverer,
    transcriptions,
    ...credentials,
    webhook: { url: options.elevenlabsWebhookUrl, secret: options.elevenlabsWebhookSecret },
    reorder: options.faults?.reorder ?? false,
    transcriptionWaitMs: options.transcriptionWaitMs ?? DEFAULT_TRANSCRIPTION_WAIT_MS,
    logger,
  });

  let script = options.script ?? 'acknowledged';
  const dials = new DialCounter();
  const chooseScript = (ctx: ScriptContext): CallScript => {
    // Every dial counts, whatever the selection, so switching to by-number mid-run still knows first attempts.
    const prior = dials.next(ctx.to);
    const name =
      typeof script === 'function'
        ? script(ctx)
        : script === 'by-number'
          ? scriptForNumber(ctx.to, prior)
          : script;
    const chosen = SCRIPTS[name];
    if (!chosen) throw new TypeError(`unknown script ${String(name)}`);
    return chosen;
  };
  const seed = options.faults?.seed ?? 1;
  let callCount = 0;
  const nextRandom = () => seededRandom((seed + Math.imul(++callCount, 0x9e3779b1)) >>> 0);

  const faults = new Map<SimRoute, RouteFault[]>();
  const requests: RecordedRequest[] = [];
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  const twilio = new TwilioApi({
    state,
    player,
    deliverer,
    transcriptions,
    ...credentials,
    chooseScript,
    nextRandom,
  });
  const elevenlabs = new ElevenLabsApi({
    state,
    player,
    apiKey: options.elevenlabsApiKey,
    streamUrl: `wss://${host}:${address.port}/v1/convai/conversation/twilio`,
    chooseScript,
    nextRandom,
  });
  const routes = buildRoutes(twilio, elevenlabs);

  const respond = async (
    req: SimRequest,
    matched: { route: Route; groups: string[] } | null,
  ): Promise<SimResponse> => {
    if (!matched) {
      return req.path.startsWith('/2010-04-01/')
        ? twilioError(404, 20404, `The requested resource ${req.path} was not found`)
        : json(404, { detail: 'Not Found' });
    }
    const { route, groups } = matched;
    const fault = faults.get(route.route)?.shift();
    if (fault?.delayMs) await scheduler.sleepReal(fault.delayMs);
    if (fault && (fault.status !== undefined || fault.delayMs === undefined)) {
      return providerFailure(route.provider, fault.status ?? 500);
    }
    return route.handle(req, groups);
  };

  const maxRecorded = options.maxRecordedRequests ?? MAX_RECORDED_REQUESTS;
  const record = (entry: RecordedRequest) => {
    requests.push(entry);
    if (requests.length > maxRecorded) requests.splice(0, requests.length - maxRecorded);
  };

  const answer = (res: ServerResponse, response: SimResponse) => {
    if (!res.headersSent && !res.destroyed)
      res.writeHead(response.status, { 'Content-Type': response.contentType }).end(response.body);
  };

  /**
   * The error boundary of every request: a request the simulator cannot read gets 400 (413 for a body too large),
   * a bug 500 and an error log; nothing is thrown or rejected out of the listener, where it would end the process.
   */
  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const target = parseRequestTarget(req.url);
    let simReq: SimRequest | undefined;
    let route: Route | undefined;
    try {
      if (!target) throw new MalformedRequestError('the request target is not a path');
      simReq = {
        method,
        path: target.path,
        search: target.search,
        headers: req.headers,
        rawBody: await readBody(req),
      };
      const matched = matchRoute(routes, simReq.method, simReq.path);
      route = matched?.route;
      const response = await respond(simReq, matched);
      record({
        at: new Date().toISOString(),
        route: route?.route ?? null,
        method,
        path: simReq.path,
        status: response.status,
        body: recordedBody(simReq),
      });
      answer(res, response);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return void res.writeHead(413).end();
      if (err instanceof MalformedRequestError || !simReq) {
        // !simReq: the body could not be read (the client went away mid-request); nothing to serve.
        logger.warn('simulator refused a request', { method, target: req.url?.slice(0, 200), error: err });
        const refused = route ? providerFailure(route.provider, 400) : json(400, { detail: 'Bad Request' });
        return answer(res, refused);
      }
      if (!scheduler.closed) logger.error('simulator request failed', { path: simReq.path, error: err });
      answer(res, json(500, { detail: 'Internal Server Error' }));
    }
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => void onRequest(req, res));

  let closing: Promise<void> | null = null;
  return {
    url,
    close: () => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await scheduler.close();
        await closed;
      })();
      return closing;
    },
    calls: () => state.snapshot(),
    requests: () => requests.map((r) => ({ ...r })),
    deliveries: () => deliverer.recorded(),
    failNext: (route, fault = {}) => {
      const queue = faults.get(route) ?? [];
      queue.push(fault);
      faults.set(route, queue);
    },
    setScript: (name: ScriptSelection) => {
      if (!isSelection(name)) throw new TypeError(`unknown script ${String(name)}`);
      script = name;
    },
    whenIdle: () => scheduler.whenIdle(),
    pause: () => scheduler.pause(),
    resume: () => scheduler.resume(),
  };
}
