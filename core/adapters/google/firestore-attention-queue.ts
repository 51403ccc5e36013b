// Firestore AttentionQueue: one document per item under `attention/`, opened create-if-absent, resolved in a transaction.
import type { DocumentReference, Firestore, Query } from '@google-cloud/firestore';
import type { AttentionItem } from '../../domain/attention.ts';
import type {
  AttentionPage,
  AttentionQueue,
  NewAttentionItem,
  ResolveResult,
} from '../../ports/attention-queue.ts';
import { decodeListCursor, encodeListCursor } from '../store-keys.ts';
import { guardStore } from './firestore-errors.ts';
import { isDocumentId, withoutUndefined } from './firestore-fields.ts';

/**
 * `attention/{attentionId}`: the item plus `state` (`open` | `resolved`), stored because a query cannot ask for a
 * missing `resolved` field. `list` queries `orgId ==` [`state ==`] ordered by `openedAt desc, attentionId desc`
 * (composite indexes in `infra/firestore.indexes.json`).
 */
type AttentionDoc = AttentionItem & { state: 'open' | 'resolved' };

export class FirestoreAttentionQueue implements AttentionQueue {
  constructor(private readonly db: Firestore) {}

  async open(input: NewAttentionItem): Promise<{ item: AttentionItem; created: boolean }> {
    if (!isDocumentId(input.attentionId)) throw new TypeError('attentionId cannot be a document id');
    const { resolved: _ignored, ...fields } = input as AttentionItem;
    const item: AttentionItem = withoutUndefined(fields);
    const ref = this.ref(item.attentionId);
    return guardStore(() =>
      this.db.runTransaction(async (tx) => {
        const existing = (await tx.get(ref)).data() as AttentionDoc | undefined;
        if (existing) return { item: fromDoc(existing), created: false };
        tx.create(ref, { ...item, state: 'open' } satisfies AttentionDoc);
        return { item, created: true };
      }),
    );
  }

  get(orgId: string, attentionId: string): Promise<AttentionItem | null> {
    if (!isDocumentId(attentionId)) return Promise.resolve(null);
    return guardStore(async () => {
      const found = (await this.ref(attentionId).get()).data() as AttentionDoc | undefined;
      return found?.orgId === orgId ? fromDoc(found) : null;
    });
  }

  list(
    orgId: string,
    query: { state: 'open' | 'resolved' | 'all'; limit: number; cursor?: string },
  ): Promise<AttentionPage> {
    return guardStore(async () => {
      const after = query.cursor ? decodeListCursor(query.cursor) : undefined;
      if (query.limit <= 0) return { items: [] };
      let q: Query = this.db.collection('attention').where('orgId', '==', orgId);
      if (query.state !== 'all') q = q.where('state', '==', query.state);
      q = q.orderBy('openedAt', 'desc').orderBy('attentionId', 'desc');
      if (after) q = q.startAfter(after.at, after.id);
      const found = (await q.limit(query.limit + 1).get()).docs.map((d) => fromDoc(d.data() as AttentionDoc));
      const items = found.slice(0, query.limit);
      const last = items.at(-1);
      return {
        items,
        ...(found.length > query.limit && last
          ? { nextCursor: encodeListCursor(last.openedAt, last.attentionId) }
          : {}),
      };
    });
  }

  resolve(
    orgId: string,
    attentionId: string,
    resolution: { by: string; at: string; note: string },
  ): Promise<ResolveResult> {
    if (!isDocumentId(attentionId)) return Promise.resolve({ outcome: 'not_found' });
    const ref = this.ref(attentionId);
    return guardStore(() =>
      this.db.runTransaction(async (tx): Promise<ResolveResult> => {
        const found = (await tx.get(ref)).data() as AttentionDoc | undefined;
        if (!found || found.orgId !== orgId) return { outcome: 'not_found' };
        const current = fromDoc(found);
        if (current.resolved) return { outcome: 'already_resolved', item: current };
        const { by, at, note } = resolution;
        const item: AttentionItem = { ...current, resolved: { by, at, note } };
        tx.set(ref, { ...item, state: 'resolved' } satisfies AttentionDoc);
        return { outcome: 'resolved', item };
      }),
    );
  }

  private ref(attentionId: string): DocumentReference {
    return this.db.collection('attention').doc(attentionId);
  }
}

function fromDoc(doc: AttentionDoc): AttentionItem {
  const { state: _state, ...item } = doc;
  return item;
}
