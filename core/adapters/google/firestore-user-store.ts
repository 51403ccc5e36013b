// Firestore UserStore: one document per user, keyed by a hash of the normalized email so the email is unique.
import type { CollectionReference, Firestore, QueryDocumentSnapshot } from '@google-cloud/firestore';
import { keyHash } from '../store-keys.ts';
import { isoNow, systemClock, type Clock } from '../../support/clock.ts';
import { AppError } from '../../support/errors.ts';
import { normalizeEmail, type NewUser, type User, type UserStore } from '../../ports/user-store.ts';
import { guardStore } from './firestore-errors.ts';

/** gRPC ALREADY_EXISTS: `create` on a document that exists. */
const ALREADY_EXISTS = 6;

/** Layout: `users/{sha256(normalized email)}`; `create` makes concurrent sign-ups of one email yield one user. */
export class FirestoreUserStore implements UserStore {
  constructor(
    private readonly db: Firestore,
    private readonly clock: Clock = systemClock,
  ) {}

  async createUser(input: NewUser): Promise<User> {
    const email = normalizeEmail(input.email);
    const user: User = { ...input, email, createdAt: isoNow(this.clock) };
    try {
      await guardStore(() => this.users().doc(keyHash(email)).create(user));
    } catch (err) {
      if ((err as { code?: unknown } | null)?.code === ALREADY_EXISTS) {
        throw new AppError('conflict', 'a user with this email already exists', { cause: err });
      }
      throw err;
    }
    return user;
  }

  findByEmail(email: string): Promise<User | null> {
    return guardStore(
      async () =>
        (
          await this.users()
            .doc(keyHash(normalizeEmail(email)))
            .get()
        ).data() ?? null,
    );
  }

  /** A single-field equality query (Firestore indexes every field by default); user ids are unique by creation. */
  findById(userId: string): Promise<User | null> {
    return guardStore(
      async () => (await this.users().where('userId', '==', userId).limit(1).get()).docs[0]?.data() ?? null,
    );
  }

  private users(): CollectionReference<User> {
    return this.db.collection('users').withConverter({
      toFirestore: (value: User) => value,
      fromFirestore: (snap: QueryDocumentSnapshot) => snap.data() as User,
    });
  }
}
