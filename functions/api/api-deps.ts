// What the API's handlers are built from, and how to build it from config (providers, signer, dialer, login limits).
import { createTicketIssuer, type TicketIssuer } from '../../core/auth/issue-ticket.ts';
import { createTokenSigner, type TokenSigner } from '../../core/auth/sign-token.ts';
import { createTokenVerifier, type TokenVerifier } from '../../core/auth/verify-token.ts';
import { BoundedWorkQueue } from '../../core/support/bounded-work-queue.ts';
import { CallIntervention } from '../../core/operations/call-intervention.ts';
import type { CallDialer } from '../../core/operations/call-dialer.ts';
import { CampaignCommands } from '../../core/operations/campaign-commands.ts';
import { systemClock, type Clock } from '../../core/support/clock.ts';
import type { Logger } from '../../core/support/log.ts';
import type { AttentionQueue } from '../../core/ports/attention-queue.ts';
import type { AnalyticsStore } from '../../core/ports/analytics-store.ts';
import type { CallStore } from '../../core/ports/call-store.ts';
import type { CampaignStore } from '../../core/ports/campaign-store.ts';
import type { DueWork } from '../../core/ports/due-work.ts';
import type { SuppressionList } from '../../core/ports/suppression-list.ts';
import type { EventBus } from '../../core/ports/event-bus.ts';
import type { IdempotencyStore } from '../../core/ports/idempotency-store.ts';
import type { Telephony } from '../../core/ports/telephony.ts';
import type { UserStore } from '../../core/ports/user-store.ts';
import type { WebhookEndpoints } from '../../core/ports/webhook-endpoints.ts';
import { createWebhookTransport } from '../../core/composition/webhook-transport.ts';
import type { WebhookApiDeps } from './webhook-endpoints.ts';
import type { ConversationSource, VoiceAgent } from '../../core/ports/voice-agent.ts';
import type {
  TranscriptionRetryPolicy,
  TranscriptionStarter,
} from '../../core/operations/transcription-starter.ts';
import type { ApiConfig } from './api-config.ts';
import type { Backend } from '../../core/composition/backend.ts';
import { createProviders } from '../../core/composition/providers.ts';
import { createDialing } from '../../core/composition/dialing.ts';
import { LoginRateLimiter } from './login-rate-limiter.ts';

export interface ApiDeps {
  store: CallStore;
  users: UserStore;
  bus: EventBus;
  idempotency: IdempotencyStore;
  verifyToken: TokenVerifier;
  signToken: TokenSigner;
  /** Relay tickets (`POST /relay/tickets`). */
  issueTicket: TicketIssuer;
  dialer: CallDialer;
  /** Background transcription starts of `elevenlabs`-mode calls (await `idle()` on shutdown / in tests). */
  transcriptions: TranscriptionStarter;
  agent: VoiceAgent;
  conversations: ConversationSource;
  limiter: LoginRateLimiter;
  /** Admits password hashing/verification (login) within `config.passwordHashing`'s bounds. */
  passwordWork: BoundedWorkQueue;
  /** Outbound webhook endpoints, their delivery log, and the schedule their attempts run on. */
  webhooks: WebhookApiDeps;
  campaigns: CampaignStore;
  /** Create, pause, resume, cancel (`POST /campaigns...`). */
  campaignCommands: CampaignCommands;
  suppressions: SuppressionList;
  attention: AttentionQueue;
  /** Time of records the API writes (suppressions, resolutions). */
  clock: Clock;
  /** Takeover and end of live calls (`POST /calls/{id}/takeover|end`). */
  interventions: CallIntervention;
  /** Warnings of best-effort work (a notice that could not be published). */
  logger: Logger;
  /** Analytics counters (`GET /analytics`); the worker's analytics module keeps them. */
  analytics: AnalyticsStore;
  config: Pick<ApiConfig, 'publicBaseUrl' | 'dialMode' | 'trustedProxyHops' | 'orgDefaultTimezone'> & {
    twilioAuthToken: string;
    twilioFromNumber: string;
  };
}

export interface ApiDepsInput {
  config: ApiConfig;
  store: CallStore;
  users: UserStore;
  bus: EventBus;
  idempotency: IdempotencyStore;
  webhooks: WebhookEndpoints;
  campaigns: CampaignStore;
  dueWork: DueWork;
  suppressions: SuppressionList;
  attention: AttentionQueue;
  analytics: AnalyticsStore;
  logger: Logger;
  telephony: Telephony;
  /** Implements both ports (the ElevenLabs adapter does). */
  agent: VoiceAgent & ConversationSource;
  clock?: Clock;
  transcriptionRetry?: TranscriptionRetryPolicy;
}

/** Wires handler dependencies; provider adapters are passed in (see `core/composition/providers.ts`). */
export async function createApiDeps(input: ApiDepsInput): Promise<ApiDeps> {
  const { config, store, bus, logger } = input;
  const clock = input.clock ?? systemClock;
  const { dialer, transcriptions } = createDialing({
    config,
    backend: { store, bus, dueWork: input.dueWork, suppressions: input.suppressions },
    logger,
    clock,
    providers: { telephony: input.telephony, agent: input.agent },
    ...(input.transcriptionRetry ? { transcriptionRetry: input.transcriptionRetry } : {}),
  });
  return {
    store,
    users: input.users,
    bus,
    idempotency: input.idempotency,
    verifyToken: createTokenVerifier(config.auth),
    signToken: await createTokenSigner(config.auth, clock),
    issueTicket: await createTicketIssuer(config.auth, clock),
    dialer,
    transcriptions,
    agent: input.agent,
    conversations: input.agent,
    limiter: new LoginRateLimiter(clock),
    passwordWork: new BoundedWorkQueue({ ...config.passwordHashing, name: 'password hashing' }),
    campaigns: input.campaigns,
    campaignCommands: new CampaignCommands({
      campaigns: input.campaigns,
      dueWork: input.dueWork,
      bus,
      clock,
      logger,
      defaultTimezone: config.orgDefaultTimezone,
    }),
    suppressions: input.suppressions,
    attention: input.attention,
    analytics: input.analytics,
    clock,
    interventions: new CallIntervention({
      store,
      bus,
      telephony: input.telephony,
      users: input.users,
      clock,
      logger,
    }),
    logger,
    webhooks: {
      endpoints: input.webhooks,
      dueWork: input.dueWork,
      transport: createWebhookTransport(config.webhooks),
      store,
      clock,
      secretGraceSecs: config.webhooks.secretGraceSecs,
    },
    config: {
      publicBaseUrl: config.publicBaseUrl,
      orgDefaultTimezone: config.orgDefaultTimezone,
      dialMode: config.dialMode,
      trustedProxyHops: config.trustedProxyHops,
      twilioAuthToken: config.twilio.authToken,
      twilioFromNumber: config.twilio.fromNumber,
    },
  };
}

/** The parts of the backend the API uses. */
export type ApiBackend = Pick<
  Backend,
  | 'store'
  | 'bus'
  | 'users'
  | 'idempotency'
  | 'campaigns'
  | 'dueWork'
  | 'suppressions'
  | 'attention'
  | 'analytics'
  | 'webhooks'
>;

/** Deps of the API from its config and an already built backend (shared with the webhooks in one process). */
export async function createApiDepsFromConfig(
  config: ApiConfig,
  input: { backend: ApiBackend; logger: Logger; clock?: Clock },
): Promise<ApiDeps> {
  const providers = createProviders({
    elevenlabs: config.elevenlabs,
    twilio: config.twilio,
    publicBaseUrl: config.publicBaseUrl,
    timeoutMs: config.providerTimeoutMs,
  });
  return createApiDeps({
    config,
    store: input.backend.store,
    users: input.backend.users,
    idempotency: input.backend.idempotency,
    webhooks: input.backend.webhooks,
    bus: input.backend.bus,
    campaigns: input.backend.campaigns,
    dueWork: input.backend.dueWork,
    suppressions: input.backend.suppressions,
    attention: input.backend.attention,
    analytics: input.backend.analytics,
    logger: input.logger,
    telephony: providers.telephony,
    agent: providers.agent,
    ...(input.clock ? { clock: input.clock } : {}),
  });
}
