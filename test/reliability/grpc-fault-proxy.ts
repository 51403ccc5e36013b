// A loopback HTTP/2 (h2c) proxy in front of an emulator that can refuse chosen gRPC methods for a window.
import { connect, constants, createServer, type ClientHttp2Session, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';

/** gRPC NOT_FOUND: what Pub/Sub answers for a missing topic; the client library does not retry it. */
const GRPC_NOT_FOUND = '5';

export interface GrpcFaultProxy {
  /** `127.0.0.1:port`, to use as an emulator host. */
  host: string;
  /** While true, calls whose `:path` ends with one of `methods` fail at once with NOT_FOUND. */
  failing: boolean;
  /** Calls failed so far. */
  readonly injected: number;
  close(): Promise<void>;
}

const HOP_HEADERS = new Set([':status', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade']);

function forwardable(headers: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (HOP_HEADERS.has(name) || value === undefined) continue;
    out[name] = value as string | string[];
  }
  return out;
}

/**
 * Forwards every gRPC call to `target` unchanged, except the `methods` while `failing` is set. The failure is real
 * on the wire: the client library, our adapter and the webhook see a gRPC error exactly as from the server.
 */
export async function startGrpcFaultProxy(target: string, methods: string[]): Promise<GrpcFaultProxy> {
  let upstream: ClientHttp2Session | undefined;
  const session = (): ClientHttp2Session => {
    if (!upstream || upstream.closed || upstream.destroyed) {
      upstream = connect(`http://${target}`);
      upstream.on('error', () => undefined);
    }
    return upstream;
  };
  const state = { failing: false, injected: 0 };
  const server: Http2Server = createServer();
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    const path = String(headers[':path'] ?? '');
    if (state.failing && methods.some((m) => path.endsWith(m))) {
      state.injected++;
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': GRPC_NOT_FOUND,
          'grpc-message': 'injected by the reliability suite: topic unavailable',
        },
        { endStream: true },
      );
      stream.resume();
      return;
    }
    const request = session().request({
      ...forwardable(headers),
      [constants.HTTP2_HEADER_METHOD]: String(headers[':method']),
      [constants.HTTP2_HEADER_PATH]: path,
    });
    request.on('error', () => stream.destroy());
    let trailers: Record<string, string | string[]> = {};
    request.on('trailers', (t) => (trailers = forwardable(t)));
    request.on('response', (responseHeaders, flags) => {
      const trailersOnly = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0;
      if (trailersOnly) {
        stream.respond({ ...forwardable(responseHeaders), ':status': 200 }, { endStream: true });
        return;
      }
      stream.respond(
        { ...forwardable(responseHeaders), ':status': Number(responseHeaders[':status'] ?? 200) },
        { waitForTrailers: true },
      );
      stream.on('wantTrailers', () => stream.sendTrailers(trailers));
      request.pipe(stream);
    });
    stream.pipe(request);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    get failing() {
      return state.failing;
    },
    set failing(value: boolean) {
      state.failing = value;
    },
    get injected() {
      return state.injected;
    },
    close: async () => {
      upstream?.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
