// Open sockets per principal and per org on this instance, so one token (or one org) cannot take the whole relay.

/** Who a socket belongs to, as far as the quota is concerned. */
export interface QuotaOwner {
  sub: string;
  org: string;
}

export interface SocketQuotaLimits {
  maxSocketsPerUser: number;
  maxSocketsPerOrg: number;
}

/** Which cap a new socket would exceed, if any. */
export type QuotaVerdict = 'ok' | 'user' | 'org';

export class SocketQuota {
  private readonly perUser = new Map<string, number>();
  private readonly perOrg = new Map<string, number>();

  constructor(private readonly limits: SocketQuotaLimits) {}

  /** Whether one more socket for `owner` fits. */
  check(owner: QuotaOwner): QuotaVerdict {
    if ((this.perUser.get(userKey(owner)) ?? 0) >= this.limits.maxSocketsPerUser) return 'user';
    if ((this.perOrg.get(owner.org) ?? 0) >= this.limits.maxSocketsPerOrg) return 'org';
    return 'ok';
  }

  /** Counts an accepted socket; every `add` must be matched by exactly one `remove`. */
  add(owner: QuotaOwner): void {
    increment(this.perUser, userKey(owner), 1);
    increment(this.perOrg, owner.org, 1);
  }

  remove(owner: QuotaOwner): void {
    increment(this.perUser, userKey(owner), -1);
    increment(this.perOrg, owner.org, -1);
  }

  /** Sockets counted for a principal (tests, diagnostics). */
  userCount(owner: QuotaOwner): number {
    return this.perUser.get(userKey(owner)) ?? 0;
  }

  orgCount(org: string): number {
    return this.perOrg.get(org) ?? 0;
  }
}

/** A subject is unique within its org only: key on both. */
function userKey(owner: QuotaOwner): string {
  return `${owner.org}\u0000${owner.sub}`;
}

function increment(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  // Zero entries are dropped so the maps hold only owners with open sockets.
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}
