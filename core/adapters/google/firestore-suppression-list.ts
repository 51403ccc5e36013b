// Firestore SuppressionList: one document per (org, number) under `suppressions/`, listed by org newest first.
import type { DocumentReference, Firestore } from '@google-cloud/firestore';
import type { Suppression } from '../../domain/suppression.ts';
import type { NewSuppression, SuppressionList, SuppressionPage } from '../../ports/suppression-list.ts';
import { decodeListCursor, encodeListCursor, suppressionIdOf } from '../store-keys.ts';
import { guardStore } from './firestore-errors.ts';
import { isDocumentId, withoutUndefined } from './firestore-fields.ts';

/**
 * `suppressions/{suppressionId}` with the id derived from (org, number) (`suppressionIdOf`), so one document per
 * pair and a lookup by number is a single read. `list` queries `orgId ==` ordered by `createdAt desc, suppressionId
 * desc` (composite index in `infra/firestore.indexes.json`).
 */
export class FirestoreSuppressionList implements SuppressionList {
  constructor(private readonly db: Firestore) {}

  add(entry: NewSuppression): Promise<{ suppression: Suppression; created: boolean }> {
    const suppression: Suppression = withoutUndefined({
      ...entry,
      suppressionId: suppressionIdOf(entry.orgId, entry.phoneNumber),
    });
    const ref = this.ref(suppression.suppressionId);
    return guardStore(() =>
      this.db.runTransaction(async (tx) => {
        const existing = (await tx.get(ref)).data() as Suppression | undefined;
        if (existing) return { suppression: existing, created: false };
        tx.create(ref, suppression);
        return { suppression, created: true };
      }),
    );
  }

  find(orgId: string, phoneNumber: string): Promise<Suppression | null> {
    return guardStore(async () => {
      const found = (await this.ref(suppressionIdOf(orgId, phoneNumber)).get()).data() as
        Suppression | undefined;
      return found?.orgId === orgId ? found : null;
    });
  }

  remove(orgId: string, suppressionId: string): Promise<boolean> {
    if (!isDocumentId(suppressionId)) return Promise.resolve(false);
    const ref = this.ref(suppressionId);
    return guardStore(() =>
      this.db.runTransaction(async (tx) => {
        const found = (await tx.get(ref)).data() as Suppression | undefined;
        if (found?.orgId !== orgId) return false;
        tx.delete(ref);
        return true;
      }),
    );
  }

  list(orgId: string, page: { limit: number; cursor?: string }): Promise<SuppressionPage> {
    return guardStore(async () => {
      const after = page.cursor ? decodeListCursor(page.cursor) : undefined;
      if (page.limit <= 0) return { suppressions: [] };
      let query = this.db
        .collection('suppressions')
        .where('orgId', '==', orgId)
        .orderBy('createdAt', 'desc')
        .orderBy('suppressionId', 'desc');
      if (after) query = query.startAfter(after.at, after.id);
      const found = (await query.limit(page.limit + 1).get()).docs.map((d) => d.data() as Suppression);
      const suppressions = found.slice(0, page.limit);
      const last = suppressions.at(-1);
      return {
        suppressions,
        ...(found.length > page.limit && last
          ? { nextCursor: encodeListCursor(last.createdAt, last.suppressionId) }
          : {}),
      };
    });
  }

  private ref(suppressionId: string): DocumentReference {
    return this.db.collection('suppressions').doc(suppressionId);
  }
}
