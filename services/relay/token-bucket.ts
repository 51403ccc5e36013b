// Token bucket: allows bursts up to `capacity`, then `refillPerSec` operations per second on average; work can be charged.

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly refillPerSec: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Takes one token if there is one (`now` in ms); false means the caller is over its rate. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /**
   * Charges work done on the caller's behalf (`cost` tokens, fractions allowed). The bucket may go into debt down to
   * `-capacity`, so one large legitimate job (a backlog after a reconnect) completes; `take` fails until the debt is
   * repaid. False means the charge would go deeper than that: the caller is over its rate.
   */
  charge(cost: number, now: number): boolean {
    this.refill(now);
    if (this.tokens - cost < -this.capacity) return false;
    this.tokens -= cost;
    return true;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.refillPerSec);
    this.last = now;
  }
}
