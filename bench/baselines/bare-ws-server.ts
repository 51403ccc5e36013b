// Baseline child: a plain `ws` broadcast server (no auth, no routing beyond one socket set per call) on loopback.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { serveBaseline, webhookHandler } from './baseline-webhook.ts';

/** Watchers per call, chosen by the `?call=` of the upgrade URL; with one call this is ws's README broadcast. */
const watchers = new Map<string, Set<WebSocket>>();

const server = createServer(
  webhookHandler(({ callKey, message }) => {
    // As the ws README's broadcast example: one payload, sent as is to every open socket.
    const data = Buffer.from(JSON.stringify(message));
    for (const client of watchers.get(callKey) ?? []) {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary: false });
    }
  }),
);
const wss = new WebSocketServer({ server });
wss.on('connection', (ws, req) => {
  const callKey = new URL(req.url ?? '/', 'http://x').searchParams.get('call') ?? '';
  let set = watchers.get(callKey);
  if (!set) watchers.set(callKey, (set = new Set()));
  set.add(ws);
  ws.on('close', () => set.delete(ws));
  ws.on('error', () => ws.terminate());
  ws.send('{"type":"subscribed"}');
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  serveBaseline({ httpUrl: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/` }, () => {
    wss.close();
    server.close();
  });
});
