// Test helper: a stand-in for callrelay's webhook endpoints that verifies every signature and records arrivals.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import twilio from 'twilio';

export const PUBLIC_BASE = 'https://callrelay.example.test';
export const PATHS = {
  status: '/webhooks/twilio/status',
  transcription: '/webhooks/twilio/transcription',
  voice: '/webhooks/twilio/voice',
  elevenlabs: '/webhooks/elevenlabs',
} as const;

export type HookKind = keyof typeof PATHS;

export interface ReceivedHook {
  kind: HookKind;
  /** Form params (Twilio) — all strings. */
  params: Record<string, string>;
  /** Parsed JSON (ElevenLabs). */
  json: Record<string, unknown> | null;
  signatureValid: boolean;
  /** Wall-clock ms since the receiver started. */
  atMs: number;
}

export interface ReceiverOptions {
  twilioAuthToken: string;
  elevenlabsSecret: string;
  /** Answers the voice webhook with TwiML (callrelay's register-mode flow). */
  voice?: (params: Record<string, string>) => Promise<string>;
  /** Status to answer a hook with (after recording it); default 200. */
  respond?: (hook: ReceivedHook) => number;
}

export interface Receiver {
  url: string;
  hooks: ReceivedHook[];
  of(kind: HookKind): ReceivedHook[];
  /** Maps the public URLs the simulator signs to this receiver. */
  deliverTo(publicUrl: string): string;
  close(): Promise<void>;
}

async function readRaw(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const hooks: ReceivedHook[] = [];
  const started = Date.now();
  const elevenlabs = new ElevenLabsClient({ apiKey: 'unused-by-webhooks' });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readRaw(req);
    const path = new URL(req.url ?? '/', 'http://receiver').pathname;
    const kind = (Object.keys(PATHS) as HookKind[]).find((k) => PATHS[k] === path);
    if (!kind) {
      res.writeHead(404).end();
      return;
    }
    const publicUrl = PUBLIC_BASE + (req.url ?? '/');
    let hook: ReceivedHook;
    if (kind === 'elevenlabs') {
      const header = req.headers['elevenlabs-signature'];
      const valid = await elevenlabs.webhooks
        .constructEvent(raw, typeof header === 'string' ? header : '', options.elevenlabsSecret)
        .then(
          () => true,
          () => false,
        );
      hook = {
        kind,
        params: {},
        json: JSON.parse(raw) as Record<string, unknown>,
        signatureValid: valid,
        atMs: 0,
      };
    } else {
      const params = Object.fromEntries(new URLSearchParams(raw));
      const header = req.headers['x-twilio-signature'];
      const valid =
        typeof header === 'string' &&
        twilio.validateRequest(options.twilioAuthToken, header, publicUrl, params);
      hook = { kind, params, json: null, signatureValid: valid, atMs: 0 };
    }
    hook.atMs = Date.now() - started;
    hooks.push(hook);
    const status = options.respond?.(hook) ?? 200;
    if (kind === 'voice' && status === 200 && options.voice) {
      const twiml = await options.voice(hook.params);
      res.writeHead(200, { 'Content-Type': 'text/xml' }).end(twiml);
      return;
    }
    res.writeHead(status).end();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hooks,
    of: (kind) => hooks.filter((h) => h.kind === kind),
    deliverTo: (publicUrl) =>
      publicUrl.startsWith(PUBLIC_BASE) ? url + publicUrl.slice(PUBLIC_BASE.length) : publicUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
