// The views' LiveSource over the shared RelayClient (client/): one socket per tab, resumed gaplessly after drops.
import { RelayClient, type ConnectionState as ClientState } from '../../client/relay-client.ts';
import { RELAY_WS_PATH, type LiveCampaignDriver } from '../../core/protocol/relay-messages.ts';
import type { CampaignDriverView } from '../../core/protocol/rest-api.ts';
import { closeReasonOf, type CloseReason } from '../../core/support/errors.ts';
import type { ConnectionState, ConnectionStatus, LiveSource } from './live-source.ts';

export interface RelayConnectionOptions {
  /** Relay origin, `ws(s)://host:port`. */
  relayUrl: string;
  /** The current token, or undefined once signed out (the client then keeps retrying with backoff). */
  getToken: () => string | undefined;
  /** A fresh single-use relay ticket for each connection (`POST /relay/tickets`), so the token stays out of URLs. */
  getTicket: () => Promise<string>;
}

/** Close codes in words, by their name in the one catalogue (core/support/errors.ts `CLOSE_CODES`). */
const CLOSE_REASONS: Record<CloseReason, string> = {
  normal: 'Closed',
  server_shutdown: 'Relay restarting',
  abnormal: 'Connection lost',
  policy: 'Rejected by the relay',
  message_too_big: 'Message too large',
  internal: 'Relay error',
  overloaded: 'Relay busy',
  heartbeat_timeout: 'Connection lost',
  token_expired: 'Session expired',
  forbidden: 'Not allowed',
  slow_consumer: 'Connection too slow',
};

export function createRelayConnection(options: RelayConnectionOptions): LiveSource {
  let status: ConnectionStatus = { state: 'connecting' };
  const listeners = new Set<(status: ConnectionStatus) => void>();
  const client = new RelayClient({
    url: `${options.relayUrl}${RELAY_WS_PATH}`,
    getToken: () => {
      const token = options.getToken();
      if (!token) throw new Error('signed out');
      return token;
    },
    getTicket: () => {
      if (!options.getToken()) throw new Error('signed out');
      return options.getTicket();
    },
    onStateChange: (state, detail) => {
      status = toStatus(state, detail.code);
      for (const listener of listeners) listener(status);
    },
  });
  client.connect();
  return {
    status: () => status,
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    subscribeCalls(handlers) {
      const wantsWords = handlers.utterances?.bind(handlers);
      const subscription = client.subscribeCalls({
        onCalls: (list) => handlers.snapshot(list),
        onCallUpdated: (call) => handlers.updated(call),
        ...(wantsWords ? { onUtterances: wantsWords } : {}),
      });
      return () => subscription.unsubscribe();
    },
    subscribeCall(callId, handlers) {
      const subscription = client.subscribe(callId, {
        onSnapshot: (call) => handlers.subscribed(call),
        onEvent: (event) => handlers.event(event),
        onPartial: (partial) => handlers.partial(partial),
        onError: (error) => handlers.error(error.code, error.message),
      });
      return () => subscription.unsubscribe();
    },
    subscribeCampaign(campaignId, handlers) {
      const follow = client.followCampaign(campaignId, {
        onSnapshot: (campaign, drivers) => handlers.snapshot(campaign, drivers.map(driverView)),
        onUpdate: (campaign, driver) => handlers.updated(campaign, driver && driverView(driver)),
        onError: (error) => handlers.error(error.code, error.message),
      });
      return () => follow.unsubscribe();
    },
    reauthenticate: () => client.reauthenticate(),
    close: () => client.close(),
  };
}

/** The relay's driver as the page shows it: the REST view's fields plus `updatedAt`, which orders updates. */
function driverView(driver: LiveCampaignDriver): CampaignDriverView & { updatedAt: string } {
  return {
    driverId: driver.driverId,
    driverName: driver.driverName,
    // Creation fills the zone in; only a hand-written record lacks one (then the viewer's zone is shown).
    timezone: driver.timezone ?? '',
    state: driver.state,
    attempts: driver.attempts,
    ...(driver.nextAttemptAt ? { nextAttemptAt: driver.nextAttemptAt } : {}),
    callIds: driver.callIds,
    ...(driver.outcome ? { outcome: driver.outcome } : {}),
    updatedAt: driver.updatedAt,
  };
}

function toStatus(state: ClientState, code: number | undefined): ConnectionStatus {
  const mapped: ConnectionState = state === 'idle' ? 'connecting' : state;
  const name = code === undefined ? undefined : closeReasonOf(code);
  const detail = code === undefined ? undefined : name ? CLOSE_REASONS[name] : `Closed (code ${code})`;
  return detail ? { state: mapped, detail } : { state: mapped };
}
