// Firestore IdempotencyStore: one document per key under `idempotency/`, claimed and completed in transactions.
import type { Firestore } from '@google-cloud/firestore';
import { Timestamp } from '@google-cloud/firestore';
import { keyHash } from '../store-keys.ts';
import { systemClock, type Clock } from '../../support/clock.ts';
import type { Claim, IdempotencyStore } from '../../ports/idempotency-store.ts';
import { guardStore } from './firestore-errors.ts';

/** `idempotency/{keyHash(key)}`. `expiresAt` ends a lease or a retained answer; a TTL policy on it deletes old ones. */
interface IdempotencyDoc {
  key: string;
  state: 'claimed' | 'done';
  value?: string;
  expiresAt: Timestamp;
}

export class FirestoreIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly db: Firestore,
    private readonly clock: Clock = systemClock,
  ) {}

  claim(key: string, leaseMs: number): Promise<Claim> {
    const ref = this.doc(key);
    return guardStore(() =>
      this.db.runTransaction(async (tx) => {
        const now = this.clock.now().getTime();
        const found = (await tx.get(ref)).data() as IdempotencyDoc | undefined;
        if (found && found.expiresAt.toMillis() > now) {
          return found.state === 'done' ? { state: 'done', value: found.value ?? '' } : { state: 'busy' };
        }
        const claim: IdempotencyDoc = {
          key,
          state: 'claimed',
          expiresAt: Timestamp.fromMillis(now + leaseMs),
        };
        tx.set(ref, claim);
        return { state: 'claimed' } as const;
      }),
    );
  }

  complete(key: string, value: string, retainMs: number): Promise<void> {
    const ref = this.doc(key);
    return guardStore(() =>
      this.db.runTransaction(async (tx) => {
        const now = this.clock.now().getTime();
        const found = (await tx.get(ref)).data() as IdempotencyDoc | undefined;
        if (found?.state === 'done' && found.expiresAt.toMillis() > now) return;
        const done: IdempotencyDoc = {
          key,
          state: 'done',
          value,
          expiresAt: Timestamp.fromMillis(now + retainMs),
        };
        tx.set(ref, done);
      }),
    );
  }

  release(key: string): Promise<void> {
    const ref = this.doc(key);
    return guardStore(() =>
      this.db.runTransaction(async (tx) => {
        const found = (await tx.get(ref)).data() as IdempotencyDoc | undefined;
        if (found?.state === 'claimed') tx.delete(ref);
      }),
    );
  }

  private doc(key: string) {
    return this.db.collection('idempotency').doc(keyHash(key));
  }
}
