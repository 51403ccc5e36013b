// In-band token refresh: asks for a fresh token shortly before the current one expires and sends it as `auth`.
import type { AuthMessage } from '../core/protocol/relay-messages.ts';

/** Time source; core's `Clock` (core/support/clock.ts) fits, so tests can pass the same clock to every part. */
export interface ClientClock {
  now(): Date;
}

export const systemClientClock: ClientClock = { now: () => new Date() };

export interface TokenRenewalOptions {
  getToken: () => string | Promise<string>;
  /** Sends on the open socket; a no-op while there is none. */
  send: (message: AuthMessage) => void;
  clock: ClientClock;
  /** Renew this long before expiry; tokens living shorter than that are renewed at half their remaining life. */
  leadMs: number;
}

/** Keeps the relay's view of the token fresh; one timer, re-armed by every `authenticated`. */
export class TokenRenewal {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: TokenRenewalOptions) {}

  /** Arms the renewal for a token expiring at `exp` (seconds since the epoch, as the relay reports it). */
  schedule(exp: number): void {
    clearTimeout(this.timer);
    const left = exp * 1000 - this.options.clock.now().getTime();
    const lead = this.options.leadMs;
    const delay = Math.min(2 ** 31 - 1, Math.max(0, lead < left ? left - lead : left / 2));
    this.timer = setTimeout(() => void this.renew(), delay);
  }

  /** Sends the token `getToken` returns now; a failing `getToken` is left to the relay's grace period. */
  async renew(): Promise<void> {
    try {
      const token = await this.options.getToken();
      this.options.send({ type: 'auth', token });
    } catch {
      // The server closes with token_expired after its grace period; the reconnect asks for a token again.
    }
  }

  cancel(): void {
    clearTimeout(this.timer);
  }
}
