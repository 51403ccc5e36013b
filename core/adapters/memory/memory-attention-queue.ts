// In-memory AttentionQueue for the embedded mode.
import type { AttentionItem } from '../../domain/attention.ts';
import type {
  AttentionPage,
  AttentionQueue,
  NewAttentionItem,
  ResolveResult,
} from '../../ports/attention-queue.ts';
import { afterListCursor, decodeListCursor, encodeListCursor, newestFirstBy } from '../store-keys.ts';

export class MemoryAttentionQueue implements AttentionQueue {
  private readonly items = new Map<string, AttentionItem>();

  async open(item: NewAttentionItem): Promise<{ item: AttentionItem; created: boolean }> {
    const existing = this.items.get(item.attentionId);
    if (existing) return { item: structuredClone(existing), created: false };
    this.items.set(item.attentionId, structuredClone(item));
    return { item: structuredClone(item), created: true };
  }

  async get(orgId: string, attentionId: string): Promise<AttentionItem | null> {
    const found = this.items.get(attentionId);
    return found && found.orgId === orgId ? structuredClone(found) : null;
  }

  async list(
    orgId: string,
    query: { state: 'open' | 'resolved' | 'all'; limit: number; cursor?: string },
  ): Promise<AttentionPage> {
    const after = query.cursor ? decodeListCursor(query.cursor) : undefined;
    const all = [...this.items.values()]
      .filter((i) => i.orgId === orgId)
      .filter((i) => query.state === 'all' || (query.state === 'open') === !i.resolved)
      .filter((i) => !after || afterListCursor(i.openedAt, i.attentionId, after))
      .sort(
        newestFirstBy(
          (i: AttentionItem) => i.openedAt,
          (i) => i.attentionId,
        ),
      );
    const items = all.slice(0, query.limit).map((i) => structuredClone(i));
    const last = items.at(-1);
    return {
      items,
      ...(all.length > query.limit && last
        ? { nextCursor: encodeListCursor(last.openedAt, last.attentionId) }
        : {}),
    };
  }

  async resolve(
    orgId: string,
    attentionId: string,
    resolution: { by: string; at: string; note: string },
  ): Promise<ResolveResult> {
    const found = this.items.get(attentionId);
    if (!found || found.orgId !== orgId) return { outcome: 'not_found' };
    if (found.resolved) return { outcome: 'already_resolved', item: structuredClone(found) };
    const item: AttentionItem = { ...found, resolved: { ...resolution } };
    this.items.set(attentionId, item);
    return { outcome: 'resolved', item: structuredClone(item) };
  }
}
