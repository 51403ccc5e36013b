// Shared by every CampaignStore adapter: how one driver's state change moves the campaign's counts and status.
import { isFinalDriverState, type Campaign, type CampaignDriver } from '../domain/campaign.ts';

/**
 * The campaign after `before` became `after`: counts moved, `completed` when no driver is left in a non-final state
 * (unless canceled), and the change in calls in flight (+1 entering `calling`, −1 leaving it).
 */
export function applyDriverChange(
  campaign: Campaign,
  before: CampaignDriver,
  after: CampaignDriver,
  now: string,
): { campaign: Campaign; inFlightDelta: number } {
  if (after.driverId !== before.driverId) throw new TypeError('a driver update may not change driverId');
  const counts = { ...campaign.counts };
  counts[before.state] -= 1;
  counts[after.state] += 1;
  const inFlightDelta = (after.state === 'calling' ? 1 : 0) - (before.state === 'calling' ? 1 : 0);
  let next: Campaign = { ...campaign, counts, updatedAt: now };
  const open = Object.entries(counts).some(
    ([state, n]) => n > 0 && !isFinalDriverState(state as CampaignDriver['state']),
  );
  if (!open && next.status !== 'completed' && next.status !== 'canceled') {
    next = { ...next, status: 'completed', completedAt: now };
  }
  return { campaign: next, inFlightDelta };
}
