// The slice of a WebSocket the client uses (browser and `ws` both fit), and how it lets go of one.

/**
 * The part of a WebSocket the client uses: the browser's `WebSocket` and `ws`'s both fit.
 * Handlers are only assigned, never called by us, hence the `never` parameters (both event types are accepted).
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `readyState` of an open socket (`WebSocket.OPEN`, the same in browsers and `ws`). */
export const SOCKET_OPEN = 1;

/**
 * Stops listening to a socket we are done with. Its errors stay handled: closing a socket that is still connecting
 * makes `ws` emit an error, and an `error` event nobody listens to is an uncaught exception that would end the host.
 */
export function detach(socket: WebSocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  socket.onerror = ignore;
}

function ignore(): void {}
