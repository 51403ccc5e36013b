// Baseline child: Socket.IO room broadcast (websocket transport only): sockets join a call's room, a POST emits to it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { serveBaseline, webhookHandler } from './baseline-webhook.ts';

const server = createServer(webhookHandler(({ callKey, message }) => io.to(callKey).emit('event', message)));
const io = new Server(server, { serveClient: false, transports: ['websocket'] });
io.on('connection', (socket) => {
  socket.on('join', (room: unknown, ack?: () => void) => {
    if (typeof room !== 'string') return;
    void socket.join(room);
    if (typeof ack === 'function') ack();
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  serveBaseline({ httpUrl: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/socket.io/` }, () => {
    void io.close();
  });
});
