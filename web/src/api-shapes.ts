// Campaign, suppression and attention shapes of the REST API as the dashboard reads them (docs/openapi.yaml).
// TODO(merge): replace with the shared types of core/protocol/rest-api.ts once the campaign API lands there.
import type { AttentionItem } from '../../core/domain/attention.ts';
import type {
  Campaign,
  CampaignDriver,
  CampaignDriverInput,
  CallingWindow,
  RetryPolicy,
} from '../../core/domain/campaign.ts';
import type { Suppression } from '../../core/domain/suppression.ts';

export type CampaignSummary = Omit<Campaign, 'orgId' | 'requestHash'>;

/** A driver as the API shows it: no phone number. */
export type CampaignDriverView = Pick<
  CampaignDriver,
  'driverId' | 'driverName' | 'timezone' | 'state' | 'attempts' | 'nextAttemptAt' | 'callIds' | 'outcome'
>;

export type CampaignDetail = CampaignSummary & { drivers: CampaignDriverView[] };

export interface CreateCampaignRequest {
  name: string;
  startAt?: string;
  callingWindow?: CallingWindow;
  retry?: RetryPolicy;
  maxConcurrentCalls?: number;
  drivers: CampaignDriverInput[];
}

export interface ListCampaignsResponse {
  campaigns: CampaignSummary[];
  nextCursor?: string;
}

export type SuppressionView = Omit<Suppression, 'orgId'>;

export interface ListSuppressionsResponse {
  suppressions: SuppressionView[];
  nextCursor?: string;
}

export type AttentionView = Omit<AttentionItem, 'orgId'>;

export interface ListAttentionResponse {
  items: AttentionView[];
  nextCursor?: string;
}

export type AttentionState = 'open' | 'resolved' | 'all';
