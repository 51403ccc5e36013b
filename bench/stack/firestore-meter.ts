// Bench instrumentation: counts the Firestore client's RPCs by method, the documents they read and write, and the
// write times of every document, by wrapping the client's request funnels in the process being measured.
import { Firestore } from '@google-cloud/firestore';
import { performance } from 'node:perf_hooks';

/** One document's writes during a metered window. */
export interface DocumentHeat {
  /** Path below `…/documents/`, e.g. `calls/abc`. */
  doc: string;
  writes: number;
  /** Most writes that fell within any 1 s window. */
  maxPerSecond: number;
  /** Most writes within any 5 s window, per second: the sustained rate Firestore's ~1 write/s guidance is about. */
  sustainedPerSecond: number;
}

export interface FirestoreStats {
  /** RPCs by method name (commit, batchGetDocuments, runQuery, beginTransaction, rollback, …). */
  rpcs: Record<string, number>;
  /** Documents requested by batchGetDocuments (transactional and plain reads). */
  documentsRead: number;
  /** Writes carried by commits (each set/create/update/delete of one document). */
  documentsWritten: number;
  /** The most-written documents, hottest (by max writes per 1 s window) first. */
  hottest: DocumentHeat[];
}

interface ProtoRequest {
  documents?: unknown[];
  writes?: Array<{ update?: { name?: string }; delete?: string }>;
}

type RequestFunnel = (
  this: unknown,
  methodName: string,
  request: ProtoRequest,
  ...rest: unknown[]
) => unknown;
type StreamFunnel = (
  this: unknown,
  methodName: string,
  bidirectional: boolean,
  request: ProtoRequest,
  ...rest: unknown[]
) => unknown;

/** Internal funnels every Firestore RPC of @google-cloud/firestore 7–8 goes through (not part of its typings). */
interface FirestoreInternals {
  request: RequestFunnel;
  requestStream: StreamFunnel;
}

const rpcs = new Map<string, number>();
const writeTimes = new Map<string, number[]>();
let documentsRead = 0;
let documentsWritten = 0;
let installed = false;

/** Wraps `Firestore.prototype`'s funnels once; every client of this process is counted from then on. */
export function installFirestoreMeter(): void {
  if (installed) return;
  installed = true;
  const proto = Firestore.prototype as unknown as FirestoreInternals;
  const request = proto.request;
  const requestStream = proto.requestStream;
  proto.request = function (methodName, req, ...rest) {
    note(methodName, req);
    return request.call(this, methodName, req, ...rest);
  };
  proto.requestStream = function (methodName, bidirectional, req, ...rest) {
    note(methodName, req);
    return requestStream.call(this, methodName, bidirectional, req, ...rest);
  };
}

function note(methodName: string, req: ProtoRequest | undefined): void {
  rpcs.set(methodName, (rpcs.get(methodName) ?? 0) + 1);
  if (methodName === 'batchGetDocuments') documentsRead += req?.documents?.length ?? 0;
  if (methodName !== 'commit') return;
  const now = performance.now();
  for (const write of req?.writes ?? []) {
    documentsWritten++;
    const name = write.update?.name ?? write.delete;
    if (!name) continue;
    const doc = name.slice(name.indexOf('/documents/') + '/documents/'.length);
    const times = writeTimes.get(doc) ?? [];
    times.push(now);
    writeTimes.set(doc, times);
  }
}

/** What was counted since the last reset; `reset` starts a new window. */
export function firestoreStats(reset: boolean, top = 5): FirestoreStats {
  const heat: DocumentHeat[] = [...writeTimes].map(([doc, times]) => ({
    doc,
    writes: times.length,
    maxPerSecond: maxInWindow(times, 1000),
    sustainedPerSecond: maxInWindow(times, 5000) / 5,
  }));
  heat.sort((a, b) => b.maxPerSecond - a.maxPerSecond || b.writes - a.writes);
  const stats: FirestoreStats = {
    rpcs: Object.fromEntries(rpcs),
    documentsRead,
    documentsWritten,
    hottest: heat.slice(0, top),
  };
  if (reset) {
    rpcs.clear();
    writeTimes.clear();
    documentsRead = 0;
    documentsWritten = 0;
  }
  return stats;
}

/** Most entries of the ascending `times` within any window of `windowMs` (two-pointer sweep). */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
