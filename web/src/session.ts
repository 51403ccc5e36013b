// The signed-in dispatcher for this tab: the token lives in sessionStorage (gone when the tab closes).

const STORAGE_KEY = 'callrelay.session';

export interface Session {
  token: string;
  sub: string;
  org: string;
  role: string;
  /** What the dispatcher signed in with, for display (the token carries only the user id). */
  email?: string;
  /** Expiry, epoch milliseconds (from the token's `exp`). */
  expiresAt: number;
  /** Issue time, epoch milliseconds (from the token's `iat`, when it has one): with `expiresAt`, its lifetime. */
  issuedAt?: number;
}

type Listener = (session: Session | undefined) => void;

export class SessionStore {
  private current: Session | undefined;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly storage: Storage = window.sessionStorage) {
    this.current = this.read();
  }

  get(): Session | undefined {
    if (this.current && this.current.expiresAt <= Date.now()) this.clear();
    return this.current;
  }

  token(): string | undefined {
    return this.get()?.token;
  }

  /** Stores a token from login; throws TypeError for a token that is not a JWT with the claims callrelay issues. */
  set(token: string, email?: string): Session {
    const session = { ...sessionFromToken(token), ...(email ? { email } : {}) };
    this.current = session;
    this.storage.setItem(STORAGE_KEY, JSON.stringify(session));
    this.emit();
    return session;
  }

  clear(): void {
    this.current = undefined;
    this.storage.removeItem(STORAGE_KEY);
    this.emit();
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.current);
  }

  private read(): Session | undefined {
    const raw = this.storage.getItem(STORAGE_KEY);
    if (!raw) return undefined;
    try {
      const parsed = JSON.parse(raw) as Partial<Session>;
      if (typeof parsed.token !== 'string') return undefined;
      const session = {
        ...sessionFromToken(parsed.token),
        ...(typeof parsed.email === 'string' ? { email: parsed.email } : {}),
      };
      return session.expiresAt > Date.now() ? session : undefined;
    } catch {
      return undefined;
    }
  }
}

/** Reads the claims the dashboard displays; the signature is the API's and relay's business, not the browser's. */
export function sessionFromToken(token: string): Session {
  const payload = token.split('.')[1];
  if (!payload) throw new TypeError('not a JWT');
  const json = atob(
    payload
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(payload.length / 4) * 4, '='),
  );
  const claims = JSON.parse(json) as Record<string, unknown>;
  const { sub, org, role, exp, iat } = claims;
  if (typeof sub !== 'string' || typeof org !== 'string' || typeof exp !== 'number') {
    throw new TypeError('token lacks sub, org or exp');
  }
  return {
    token,
    sub,
    org,
    role: typeof role === 'string' ? role : 'dispatcher',
    expiresAt: exp * 1000,
    ...(typeof iat === 'number' ? { issuedAt: iat * 1000 } : {}),
  };
}
