// Client-side liveness: browsers cannot see protocol pings, so the client pings and drops a link that stays silent.

/**
 * Sends a ping every interval; when nothing at all was heard from the relay during a whole interval after a ping,
 * the link is dead even if no close arrived, and `onSilence` runs once.
 */
export class Heartbeat {
  private heard = true;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly intervalMs: number) {}

  /** Starts beating for a freshly opened socket (any earlier beat stops). */
  start(ping: () => void, onSilence: () => void): void {
    this.stop();
    this.heard = true;
    this.timer = setInterval(() => {
      if (!this.heard) {
        this.stop();
        onSilence();
        return;
      }
      this.heard = false;
      ping();
    }, this.intervalMs);
  }

  /** Anything arrived from the relay: the link is alive. */
  heardFrom(): void {
    this.heard = true;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
