// In-memory UserStore: the embedded backend for `npm start` without emulators; same contract as Firestore.
import { isoNow, systemClock, type Clock } from '../../support/clock.ts';
import { AppError } from '../../support/errors.ts';
import { normalizeEmail, type NewUser, type User, type UserStore } from '../../ports/user-store.ts';

export class MemoryUserStore implements UserStore {
  private readonly users = new Map<string, User>();

  constructor(private readonly clock: Clock = systemClock) {}

  async createUser(input: NewUser): Promise<User> {
    const email = normalizeEmail(input.email);
    if (this.users.has(email)) throw new AppError('conflict', 'a user with this email already exists');
    const user: User = { ...input, email, createdAt: isoNow(this.clock) };
    this.users.set(email, user);
    return structuredClone(user);
  }

  async findById(userId: string): Promise<User | null> {
    const user = [...this.users.values()].find((u) => u.userId === userId);
    return user ? structuredClone(user) : null;
  }

  async findByEmail(email: string): Promise<User | null> {
    const user = this.users.get(normalizeEmail(email));
    return user ? structuredClone(user) : null;
  }
}
