// In-memory SuppressionList for the embedded mode.
import type { Suppression } from '../../domain/suppression.ts';
import type { NewSuppression, SuppressionList, SuppressionPage } from '../../ports/suppression-list.ts';
import {
  afterListCursor,
  decodeListCursor,
  encodeListCursor,
  newestFirstBy,
  suppressionIdOf,
} from '../store-keys.ts';

export class MemorySuppressionList implements SuppressionList {
  private readonly entries = new Map<string, Suppression>();

  async add(entry: NewSuppression): Promise<{ suppression: Suppression; created: boolean }> {
    const suppressionId = suppressionIdOf(entry.orgId, entry.phoneNumber);
    const existing = this.entries.get(suppressionId);
    if (existing) return { suppression: { ...existing }, created: false };
    const suppression: Suppression = { ...entry, suppressionId };
    this.entries.set(suppressionId, suppression);
    return { suppression: { ...suppression }, created: true };
  }

  async find(orgId: string, phoneNumber: string): Promise<Suppression | null> {
    const found = this.entries.get(suppressionIdOf(orgId, phoneNumber));
    return found ? { ...found } : null;
  }

  async remove(orgId: string, suppressionId: string): Promise<boolean> {
    if (this.entries.get(suppressionId)?.orgId !== orgId) return false;
    return this.entries.delete(suppressionId);
  }

  async list(orgId: string, page: { limit: number; cursor?: string }): Promise<SuppressionPage> {
    const after = page.cursor ? decodeListCursor(page.cursor) : undefined;
    const all = [...this.entries.values()]
      .filter((s) => s.orgId === orgId)
      .filter((s) => !after || afterListCursor(s.createdAt, s.suppressionId, after))
      .sort(
        newestFirstBy(
          (s: Suppression) => s.createdAt,
          (s) => s.suppressionId,
        ),
      );
    const suppressions = all.slice(0, page.limit).map((s) => ({ ...s }));
    const last = suppressions.at(-1);
    return {
      suppressions,
      ...(all.length > page.limit && last
        ? { nextCursor: encodeListCursor(last.createdAt, last.suppressionId) }
        : {}),
    };
  }
}
