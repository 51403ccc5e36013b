// Firestore DueWork: one document per key under `dueWork/`, found by a due-time query and leased in a transaction each.
import { randomUUID } from 'node:crypto';
import type { DocumentReference, Firestore, Query } from '@google-cloud/firestore';
import { Timestamp } from '@google-cloud/firestore';
import { keyHash } from '../store-keys.ts';
import type {
  ClaimRequest,
  DueItem,
  DueWork,
  ScheduleRequest,
  ScheduleResult,
} from '../../ports/due-work.ts';
import { checkClaimRequest } from '../../ports/due-work.ts';
import { guardStore } from './firestore-errors.ts';

/**
 * `dueWork/{keyHash(key)}`. While leased, `dueAt` is the lease end, so one range query on `dueAt` finds both items
 * never claimed and items whose worker died.
 */
interface DueWorkDoc {
  key: string;
  kind: string;
  payload: string;
  dueAt: Timestamp;
  attempt: number;
  leaseToken: string | null;
}

/** gRPC ABORTED: the transaction lost to concurrent claimers on every attempt; one of them has the item. */
const ABORTED = 10;

export class FirestoreDueWork implements DueWork {
  constructor(private readonly db: Firestore) {}

  schedule({ key, kind, dueAt, payload, now }: ScheduleRequest): Promise<ScheduleResult> {
    const ref = this.doc(key);
    return guardStore(() =>
      this.db.runTransaction(async (tx) => {
        const found = (await tx.get(ref)).data() as DueWorkDoc | undefined;
        if (found?.leaseToken && found.dueAt.toMillis() > now.getTime()) return { state: 'leased' } as const;
        const doc: DueWorkDoc = {
          key,
          kind,
          payload,
          dueAt: Timestamp.fromDate(dueAt),
          attempt: 0,
          leaseToken: null,
        };
        tx.set(ref, doc);
        return { state: 'scheduled' } as const;
      }),
    );
  }

  async claimDue(request: ClaimRequest): Promise<DueItem[]> {
    checkClaimRequest(request);
    const now = Timestamp.fromDate(request.now);
    // With `kinds`, the equality-plus-range query needs the composite index (kind, dueAt) in infra/firestore.indexes.json.
    let query: Query = this.db.collection('dueWork');
    if (request.kinds) query = query.where('kind', 'in', [...request.kinds]);
    query = query.where('dueAt', '<=', now).orderBy('dueAt').limit(request.limit);
    return guardStore(async () => {
      const candidates = (await query.get()).docs;
      const claimed = await Promise.all(
        candidates.map((candidate) => this.lease(candidate.ref, now, request)),
      );
      return claimed
        .filter((item) => item !== undefined)
        .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
    });
  }

  complete(key: string, leaseToken: string): Promise<boolean> {
    const ref = this.doc(key);
    return guardStore(() =>
      this.db.runTransaction(async (tx) => {
        const found = (await tx.get(ref)).data() as DueWorkDoc | undefined;
        if (found?.leaseToken !== leaseToken) return false;
        tx.delete(ref);
        return true;
      }),
    );
  }

  reschedule(key: string, leaseToken: string, dueAt: Date, payload?: string): Promise<boolean> {
    const ref = this.doc(key);
    return guardStore(() =>
      this.db.runTransaction(async (tx) => {
        const found = (await tx.get(ref)).data() as DueWorkDoc | undefined;
        if (found?.leaseToken !== leaseToken) return false;
        tx.update(ref, {
          dueAt: Timestamp.fromDate(dueAt),
          leaseToken: null,
          ...(payload === undefined ? {} : { payload }),
        });
        return true;
      }),
    );
  }

  async cancel(key: string): Promise<void> {
    await guardStore(() => this.doc(key).delete());
  }

  /** Re-reads one query candidate and leases it if it is still due; undefined when another claimer got it first. */
  private async lease(
    ref: DocumentReference,
    now: Timestamp,
    { leaseMs, kinds }: ClaimRequest,
  ): Promise<DueItem | undefined> {
    try {
      return await this.db.runTransaction(async (tx) => {
        const found = (await tx.get(ref)).data() as DueWorkDoc | undefined;
        // Rescheduled, rekinded or claimed since the query ran: not ours to take.
        if (!found || found.dueAt.toMillis() > now.toMillis()) return undefined;
        if (kinds && !kinds.includes(found.kind)) return undefined;
        const leaseUntil = Timestamp.fromMillis(now.toMillis() + leaseMs);
        const item: DueItem = {
          key: found.key,
          kind: found.kind,
          payload: found.payload,
          dueAt: found.dueAt.toDate(),
          attempt: found.attempt + 1,
          leaseToken: randomUUID(),
          leaseUntil: leaseUntil.toDate(),
        };
        tx.update(ref, { dueAt: leaseUntil, attempt: item.attempt, leaseToken: item.leaseToken });
        return item;
      });
    } catch (err) {
      if ((err as { code?: unknown } | null)?.code === ABORTED) return undefined;
      throw err;
    }
  }

  private doc(key: string): DocumentReference {
    return this.db.collection('dueWork').doc(keyHash(key));
  }
}
