// Port: the numbers each org must never dial.
import type { Suppression } from '../domain/suppression.ts';

export type NewSuppression = Omit<Suppression, 'suppressionId'>;

export interface SuppressionPage {
  suppressions: Suppression[];
  nextCursor?: string;
}

/**
 * Contract (checked by `suppression-list.contract.ts`):
 * - One entry per (org, phone number): `add` of a listed number returns the stored entry (`created: false`).
 *   `suppressionId` is derived from (org, number) and reveals neither.
 * - `find` answers the entry for a number, or `null`; orgs never see each other's entries.
 * - `remove` deletes by id within the org and answers whether it existed.
 * - `list` pages newest first.
 */
export interface SuppressionList {
  add(entry: NewSuppression): Promise<{ suppression: Suppression; created: boolean }>;
  find(orgId: string, phoneNumber: string): Promise<Suppression | null>;
  remove(orgId: string, suppressionId: string): Promise<boolean>;
  list(orgId: string, page: { limit: number; cursor?: string }): Promise<SuppressionPage>;
}
