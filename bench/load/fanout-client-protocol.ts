// IPC between the runner and a fan-out client process: what it opens, what it must receive, what it saw.

/** How a client speaks to a target: callrelay's relay protocol, bare ws (`?call=`), or Socket.IO rooms (EIO 4). */
export type ClientProtocol = 'relay' | 'bare-ws' | 'socketio';

/** argv[2] of a client process (JSON). */
export interface ClientProcessSpec {
  protocol: ClientProtocol;
  /** WebSocket URL of the target (relay: its `/ws` path; Socket.IO: its `/socket.io/` path). */
  url: string;
  /** Relay only: the dispatcher token, sent as `Authorization: Bearer`. */
  token?: string;
  /** Call keys (relay: callIds; baselines: CallSids). */
  calls: string[];
  /** One entry per socket of this process: the index in `calls` it watches. */
  sockets: number[];
  /** Source address of this process's sockets (another 127.x address per process: more ephemeral ports). */
  localAddress: string;
}

export type ClientParentMessage =
  /** Every socket must receive seqs 1..lastSeq[call] of its call, in order, each once. */
  { type: 'expect'; lastSeq: number[]; timeoutMs: number } | { type: 'close' };

export type ClientChildMessage =
  | { type: 'ready'; pid: number }
  | {
      type: 'done';
      /** Every event frame received, warm-up backlog included. */
      deliveries: number;
      /** Date.now() of the last event frame. */
      lastDeliveryAt: number;
      /** Sockets that got everything. */
      complete: number;
      problems: string[];
      /** Problems beyond the first few listed. */
      moreProblems: number;
      /** Bytes of the last event frame received (to compare frame sizes across targets). */
      frameBytes: number;
      otherFrames: number;
    }
  | { type: 'failed'; message: string };
