// Port: the attention queue — items a dispatcher must look at, open until resolved.
import type { AttentionItem } from '../domain/attention.ts';

export type NewAttentionItem = Omit<AttentionItem, 'resolved'>;

export interface AttentionPage {
  items: AttentionItem[];
  nextCursor?: string;
}

export type ResolveResult =
  | { outcome: 'resolved'; item: AttentionItem }
  /** It was resolved before (by whoever `item.resolved` names); nothing changed. */
  | { outcome: 'already_resolved'; item: AttentionItem }
  | { outcome: 'not_found' };

/**
 * Contract (checked by `attention-queue.contract.ts`):
 * - `open` is idempotent by `attentionId`: opening an existing item returns it (`created: false`) unchanged.
 * - `list` pages an org's items newest `openedAt` first, `open` ones only unless `state` says otherwise.
 * - `resolve` records who, when and the note once; orgs never see or resolve each other's items.
 */
export interface AttentionQueue {
  open(item: NewAttentionItem): Promise<{ item: AttentionItem; created: boolean }>;
  get(orgId: string, attentionId: string): Promise<AttentionItem | null>;
  list(
    orgId: string,
    query: { state: 'open' | 'resolved' | 'all'; limit: number; cursor?: string },
  ): Promise<AttentionPage>;
  resolve(
    orgId: string,
    attentionId: string,
    resolution: { by: string; at: string; note: string },
  ): Promise<ResolveResult>;
}
