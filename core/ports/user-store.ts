// Port: dispatcher accounts that can log in to the API (email, org, role, password hash).
import type { Role } from '../domain/credentials.ts';

export interface User {
  userId: string;
  /** Normalized with {@link normalizeEmail}; unique across all orgs. */
  email: string;
  orgId: string;
  role: Role;
  /** `hashPassword` output; never returned by the API or logged. */
  passwordHash: string;
  /** ISO time. */
  createdAt: string;
  /** E.164 number of the dispatcher's own phone (where a takeover connects a call). Never logged or returned. */
  phoneNumber?: string;
}

export type NewUser = Omit<User, 'createdAt'>;

/**
 * Contract (checked by `user-store.contract.ts` against every adapter):
 * - `createUser` stores a user once per normalized email; a second user with the same email raises
 *   `AppError('conflict')` and leaves the first unchanged, also when both race.
 * - `findById` finds a user by `userId`, null when there is none.
 * - `findByEmail` normalizes its argument the same way, so lookups are case- and whitespace-insensitive.
 * - Unavailability of the backing service surfaces as `AppError('store_unavailable')`.
 */
export interface UserStore {
  createUser(input: NewUser): Promise<User>;
  findByEmail(email: string): Promise<User | null>;
  /** The user with this id (the `sub` of their tokens), or null. */
  findById(userId: string): Promise<User | null>;
}

/** Trimmed and lower-cased: the key users are stored and looked up by. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
