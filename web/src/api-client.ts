// The REST API as the dashboard uses it: typed calls, and every failure turned into an ApiError with words to show.
import type {
  CreateWebhookEndpointRequest,
  CreateWebhookEndpointResponse,
  ErrorEnvelope,
  ListCallsResponse,
  GetCallResponse,
  ListWebhookDeliveriesResponse,
  ListWebhookEndpointsResponse,
  LoginRequest,
  TakeoverRequest,
  RelayTicketResponse,
  TokenResponse,
  TriggerCallRequest,
  TriggerCallResponse,
  CampaignDetail,
  CreateCampaignRequest,
  AnalyticsResponse,
  ListAttentionResponse,
  ListCampaignsResponse,
  ListSuppressionsResponse,
  RotateWebhookSecretResponse,
  WebhookDeliveryAccepted,
} from '../../core/protocol/rest-api.ts';
import type { AttentionItem } from '../../core/domain/attention.ts';
import type { Suppression } from '../../core/domain/suppression.ts';

/** What `pause`, `resume` and `cancel` do to a campaign (`POST /campaigns/{id}/<action>`). */
export type CampaignAction = 'pause' | 'resume' | 'cancel';

/** Which attention items `GET /attention` lists. */
export type AttentionState = 'open' | 'resolved' | 'all';

/** A failed API call: `code` from the error envelope (or `network` / `bad_response`), `message` fit for the user. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;

  constructor(code: string, message: string, status: number, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export interface ApiClient {
  login(email: string, password: string): Promise<TokenResponse>;
  /** `POST /auth/refresh` with `token` (not necessarily the stored one): a fresh token of the same session. */
  refresh(token: string): Promise<TokenResponse>;
  /** `POST /relay/tickets`: a single-use ticket to open one relay socket within 30 s. */
  relayTicket(): Promise<RelayTicketResponse>;
  triggerCall(request: TriggerCallRequest, idempotencyKey: string): Promise<TriggerCallResponse>;
  /** `GET /calls?{query}`: one page of the org's calls, newest first. */
  listCalls(query: URLSearchParams): Promise<ListCallsResponse>;
  /** `GET /calls/export?format=csv&{query}`: the CSV as a Blob (the server streams it; the browser holds the file). */
  exportCalls(query: URLSearchParams): Promise<Blob>;
  /** `POST /calls/{id}/takeover`: connect the live call to `phoneNumber` (default: the profile number). */
  takeOverCall(callId: string, phoneNumber?: string): Promise<GetCallResponse>;
  /** `POST /calls/{id}/end`: hang the live call up politely. */
  endCall(callId: string): Promise<GetCallResponse>;
  /** `POST /campaigns`; the same key for a retry of the same form submission (no second campaign). */
  createCampaign(request: CreateCampaignRequest, idempotencyKey: string): Promise<CampaignDetail>;
  listCampaigns(cursor?: string): Promise<ListCampaignsResponse>;
  getCampaign(campaignId: string): Promise<CampaignDetail>;
  campaignAction(campaignId: string, action: CampaignAction): Promise<CampaignDetail>;
  listSuppressions(cursor?: string): Promise<ListSuppressionsResponse>;
  addSuppression(phoneNumber: string, note?: string): Promise<Suppression>;
  removeSuppression(suppressionId: string): Promise<void>;
  listAttention(state: AttentionState, cursor?: string): Promise<ListAttentionResponse>;
  resolveAttention(attentionId: string, note: string): Promise<AttentionItem>;
  /** `GET /analytics`: the org's figures per group; omitted fields take the API's defaults. */
  analytics(q: { from?: string; to?: string; groupBy?: string }): Promise<AnalyticsResponse>;
  /** Outbound webhook endpoints (admins only): see `docs/API.md` "Webhook endpoints". */
  webhooks: WebhookEndpointsClient;
}

export interface WebhookEndpointsClient {
  list(): Promise<ListWebhookEndpointsResponse>;
  /** The answer carries the signing secret: the only time the API ever returns it. */
  create(request: CreateWebhookEndpointRequest): Promise<CreateWebhookEndpointResponse>;
  remove(endpointId: string): Promise<void>;
  rotateSecret(endpointId: string): Promise<RotateWebhookSecretResponse>;
  deliveries(endpointId: string, cursor?: string): Promise<ListWebhookDeliveriesResponse>;
  retry(endpointId: string, deliveryId: string): Promise<WebhookDeliveryAccepted>;
  sendTest(endpointId: string): Promise<WebhookDeliveryAccepted>;
}

export function createApiClient(baseUrl: string, getToken: () => string | undefined): ApiClient {
  const send = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> => {
    const token = getToken();
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError(
        'network',
        'The callrelay API cannot be reached. Check your connection and try again.',
        0,
      );
    }
    return response;
  };
  const request = async <T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await send(method, path, body, headers);
    if (response.status === 204) return undefined as T;
    const payload: unknown = await response.json().catch(() => undefined);
    if (!response.ok) throw errorFrom(response.status, payload);
    if (payload === undefined)
      throw new ApiError('bad_response', 'The API answered with something unreadable.', response.status);
    return payload as T;
  };
  return {
    login: (email, password) =>
      request<TokenResponse>('POST', '/auth/login', { email, password } satisfies LoginRequest),
    refresh: (token) =>
      request<TokenResponse>('POST', '/auth/refresh', undefined, { authorization: `Bearer ${token}` }),
    relayTicket: () => request<RelayTicketResponse>('POST', '/relay/tickets'),
    triggerCall: (body, idempotencyKey) =>
      request<TriggerCallResponse>('POST', '/driver_data/call-elevenlabs', body, {
        'idempotency-key': idempotencyKey,
      }),
    listCalls: (query) => request<ListCallsResponse>('GET', `/calls?${query.toString()}`),
    exportCalls: async (query) => {
      const params = new URLSearchParams(query);
      params.set('format', 'csv');
      const response = await send('GET', `/calls/export?${params.toString()}`, undefined, {
        accept: 'text/csv',
      });
      if (!response.ok) throw errorFrom(response.status, await response.json().catch(() => undefined));
      try {
        return await response.blob();
      } catch {
        throw new ApiError('network', 'The export was interrupted. Try again.', response.status);
      }
    },
    takeOverCall: (callId, phoneNumber) =>
      request<GetCallResponse>(
        'POST',
        `/calls/${encodeURIComponent(callId)}/takeover`,
        (phoneNumber ? { phoneNumber } : {}) satisfies TakeoverRequest,
      ),
    endCall: (callId) => request<GetCallResponse>('POST', `/calls/${encodeURIComponent(callId)}/end`),
    createCampaign: (body, idempotencyKey) =>
      request<CampaignDetail>('POST', '/campaigns', body, { 'idempotency-key': idempotencyKey }),
    listCampaigns: (cursor) => request<ListCampaignsResponse>('GET', `/campaigns${query({ cursor })}`),
    getCampaign: (id) => request<CampaignDetail>('GET', `/campaigns/${encodeURIComponent(id)}`),
    campaignAction: (id, action) =>
      request<CampaignDetail>('POST', `/campaigns/${encodeURIComponent(id)}/${action}`),
    listSuppressions: (cursor) =>
      request<ListSuppressionsResponse>('GET', `/suppressions${query({ cursor })}`),
    addSuppression: (phoneNumber, note) =>
      request<Suppression>('POST', '/suppressions', { phoneNumber, ...(note ? { note } : {}) }),
    removeSuppression: (id) => request<void>('DELETE', `/suppressions/${encodeURIComponent(id)}`),
    listAttention: (state, cursor) =>
      request<ListAttentionResponse>('GET', `/attention${query({ state, cursor })}`),
    resolveAttention: (id, note) =>
      request<AttentionItem>('POST', `/attention/${encodeURIComponent(id)}/resolve`, { note }),
    analytics: (q) => request<AnalyticsResponse>('GET', `/analytics${query(q)}`),
    webhooks: webhookEndpointsClient(request),
  };
}

type Request = <T>(method: string, path: string, body?: unknown) => Promise<T>;

function webhookEndpointsClient(request: Request): WebhookEndpointsClient {
  const endpoint = (id: string) => `/webhook-endpoints/${encodeURIComponent(id)}`;
  return {
    list: () => request('GET', '/webhook-endpoints'),
    create: (body) => request('POST', '/webhook-endpoints', body),
    remove: (id) => request('DELETE', endpoint(id)),
    rotateSecret: (id) => request('POST', `${endpoint(id)}/rotate-secret`),
    deliveries: (id, cursor) => request('GET', `${endpoint(id)}/deliveries${query({ cursor })}`),
    retry: (id, deliveryId) =>
      request('POST', `${endpoint(id)}/deliveries/${encodeURIComponent(deliveryId)}/retry`),
    sendTest: (id) => request('POST', `${endpoint(id)}/test`),
  };
}

function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}

function errorFrom(status: number, payload: unknown): ApiError {
  // Untrusted until checked: a proxy or an outage may answer with anything but the API's envelope.
  const envelope = (payload as Partial<ErrorEnvelope> | undefined)?.error as
    { [K in keyof ErrorEnvelope['error']]?: unknown } | undefined;
  if (envelope && typeof envelope.code === 'string') {
    const message =
      typeof envelope.message === 'string' && envelope.message ? envelope.message : fallbackMessage(status);
    return new ApiError(envelope.code, message, status, envelope.details);
  }
  return new ApiError(status >= 500 ? 'internal' : 'bad_response', fallbackMessage(status), status);
}

function fallbackMessage(status: number): string {
  if (status === 401) return 'Your session is not valid. Please sign in again.';
  if (status === 403) return 'You are not allowed to do that.';
  if (status === 404) return 'Not found.';
  if (status === 429) return 'Too many attempts. Wait a moment and try again.';
  if (status >= 500) return `The server had a problem (HTTP ${status}). Try again shortly.`;
  return `The request failed (HTTP ${status}).`;
}
