// WebhookTransport over node:http(s): checks each URL's resolved addresses and connects only to the one it checked.
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WEBHOOK_LIMITS } from '../domain/webhook.ts';
import { AppError, isAppError } from '../support/errors.ts';
import { isPublicAddress } from '../support/public-address.ts';
import type { WebhookSendResult, WebhookTransport } from '../ports/webhook-transport.ts';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address a host name resolves to (the OS resolver, like the connection would use). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

const systemResolver: HostResolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The 10 s the issue asks for: long enough for a slow receiver, short enough to keep the worker's slots moving. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** Names that are internal whatever they resolve to (GCE's metadata server answers on them). */
const INTERNAL_NAMES = /^(localhost|metadata|metadata\.google\.internal)$|\.(localhost|internal)$/i;

export interface HttpWebhookTransportOptions {
  /** `WEBHOOK_ALLOW_PRIVATE_URLS`: when false, only https to public addresses. */
  allowPrivateUrls: boolean;
  timeoutMs?: number;
  resolve?: HostResolver;
}

export class HttpWebhookTransport implements WebhookTransport {
  private readonly timeoutMs: number;
  private readonly resolveHost: HostResolver;

  constructor(private readonly options: HttpWebhookTransportOptions) {
    this.timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
    this.resolveHost = options.resolve ?? systemResolver;
  }

  async checkUrl(url: string): Promise<void> {
    await this.target(url);
  }

  async send(request: {
    url: string;
    headers: Record<string, string>;
    body: string;
  }): Promise<WebhookSendResult> {
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    let target: { url: URL; address: ResolvedAddress };
    try {
      target = await this.target(request.url);
    } catch (err) {
      const error = isAppError(err) ? `address refused: ${err.message}` : describe(err);
      return { ok: false, latencyMs: latency(), error };
    }
    try {
      const statusCode = await this.post(target.url, target.address, request.headers, request.body);
      if (statusCode >= 200 && statusCode < 300) return { ok: true, statusCode, latencyMs: latency() };
      const error =
        statusCode >= 300 && statusCode < 400
          ? `redirect not followed (${statusCode})`
          : `status ${statusCode}`;
      return { ok: false, statusCode, latencyMs: latency(), error };
    } catch (err) {
      return { ok: false, latencyMs: latency(), error: describe(err) };
    }
  }

  /** Parses and checks `raw`, resolving its host; the first allowed address is the one to connect to. */
  private async target(raw: string): Promise<{ url: URL; address: ResolvedAddress }> {
    const { allowPrivateUrls } = this.options;
    if (raw.length > WEBHOOK_LIMITS.urlMax) throw refused('the URL is too long');
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw refused('not a valid URL');
    }
    const schemes = allowPrivateUrls ? ['https:', 'http:'] : ['https:'];
    if (!schemes.includes(url.protocol)) {
      throw refused(allowPrivateUrls ? 'the URL must be http(s)' : 'the URL must be https');
    }
    if (url.username || url.password) throw refused('the URL must not carry credentials');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!allowPrivateUrls && INTERNAL_NAMES.test(host)) throw refused('the host is internal');
    let addresses: ResolvedAddress[];
    if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
    else {
      try {
        addresses = await this.resolveHost(host);
      } catch {
        addresses = [];
      }
    }
    if (addresses.length === 0) throw refused('the host does not resolve');
    // Every address must be public: a name resolving to one public and one private address could be steered.
    if (!allowPrivateUrls && addresses.some((a) => !isPublicAddress(a.address))) {
      throw refused('the host resolves to a private, loopback, link-local or reserved address');
    }
    return { url, address: addresses[0]! };
  }

  /** One POST connecting only to `address` (TLS still verifies the certificate against the URL's host name). */
  private post(
    url: URL,
    address: ResolvedAddress,
    headers: Record<string, string>,
    body: string,
  ): Promise<number> {
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if (options.all) callback(null, [{ address: address.address, family: address.family }]);
      else callback(null, address.address, address.family);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<number>((resolve, reject) => {
      const req = send(
        url,
        {
          method: 'POST',
          headers: {
            ...headers,
            'content-length': String(Buffer.byteLength(body)),
            'user-agent': 'callrelay-webhooks/1',
          },
          lookup: pinned,
          // No pooled sockets: each attempt connects to the address it just checked.
          agent: false,
          signal: AbortSignal.timeout(this.timeoutMs),
        },
        (res) => {
          drainBounded(res, WEBHOOK_LIMITS.responseMaxBytes).then(() => resolve(res.statusCode ?? 0), reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** Reads at most `max` bytes of the response, then drops the rest (the connection is closed). */
function drainBounded(res: IncomingMessage, max: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let read = 0;
    res.on('data', (chunk: Buffer) => {
      read += chunk.length;
      if (read >= max) {
        res.destroy();
        resolve();
      }
    });
    res.on('end', () => resolve());
    res.on('close', () => resolve());
    res.on('error', reject);
  });
}

function refused(reason: string): AppError {
  return new AppError('unsafe_webhook_url', reason);
}

/** A short, secret-free reason for a failed connection. */
function describe(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string } | null;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.code === 'ABORT_ERR') return 'timeout';
  switch (e?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case undefined:
      return e?.message?.slice(0, 200) ?? 'request failed';
    default:
      return `connection error (${e?.code})`;
  }
}
