// Creates the dev dispatcher login if it does not exist yet (the emulators may keep it between runs).
import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../core/auth/passwords.ts';
import type { Role } from '../../core/domain/credentials.ts';
import { isAppError } from '../../core/support/errors.ts';
import type { UserStore } from '../../core/ports/user-store.ts';

export async function seedDevUser(
  users: UserStore,
  user: { email: string; password: string; org: string; role: Role },
): Promise<'created' | 'existing'> {
  if (await users.findByEmail(user.email)) return 'existing';
  try {
    await users.createUser({
      userId: `usr_${randomUUID().replaceAll('-', '')}`,
      email: user.email,
      orgId: user.org,
      role: user.role,
      passwordHash: await hashPassword(user.password),
    });
    return 'created';
  } catch (err) {
    if (isAppError(err) && err.code === 'conflict') return 'existing';
    throw err;
  }
}
