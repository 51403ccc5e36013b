// Contract suite every UserStore adapter must pass (memory and Firestore run the same cases).
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { UserStore } from './user-store.ts';

/** Registers the contract cases for an adapter; `make` returns a store over empty, isolated storage. */
export function userStoreContract(name: string, make: () => Promise<UserStore> | UserStore): void {
  describe(`UserStore contract: ${name}`, () => {
    const user = (email: string) => ({
      userId: randomUUID(),
      email,
      orgId: 'org-a',
      role: 'dispatcher' as const,
      passwordHash: 'scrypt$32768$8$1$c2FsdA$a2V5',
    });

    it('creates a user and finds it by normalized email', async () => {
      const store = await make();
      const created = await store.createUser(user('  Dana@Example.COM '));
      expect(created.email).toBe('dana@example.com');
      expect(created.createdAt).toMatch(/^\d{4}-/);
      const found = await store.findByEmail('DANA@example.com');
      expect(found).toEqual(created);
    });

    it('finds a user by id, with the optional phone number it was created with', async () => {
      const store = await make();
      const created = await store.createUser({ ...user('pat@example.com'), phoneNumber: '+15550100200' });
      expect(await store.findById(created.userId)).toEqual(created);
      expect(created.phoneNumber).toBe('+15550100200');
      const plain = await store.createUser(user('max@example.com'));
      expect((await store.findById(plain.userId))?.phoneNumber).toBeUndefined();
      expect(await store.findById('usr_nobody')).toBeNull();
    });

    it('returns null for an unknown email', async () => {
      const store = await make();
      expect(await store.findByEmail('nobody@example.com')).toBeNull();
    });

    it('rejects a second user with the same email, also when racing', async () => {
      const store = await make();
      const first = await store.createUser(user('lee@example.com'));
      await expect(store.createUser(user('LEE@example.com'))).rejects.toMatchObject({ code: 'conflict' });
      const raced = await Promise.allSettled([
        store.createUser(user('kim@example.com')),
        store.createUser(user('kim@example.com')),
      ]);
      expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(raced.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'conflict' } });
      expect((await store.findByEmail('lee@example.com'))?.userId).toBe(first.userId);
    });
  });
}
