// Creates a dispatcher login on the configured backend: `tsx scripts/create-user.ts --email … --org … [--role admin]`
// [--phone +E164] (the dispatcher's own phone, where a takeover connects a live call).
// The password comes from CALLRELAY_USER_PASSWORD or stdin (never argv: argv is visible in `ps` and shell history).
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { hashPassword, MAX_PASSWORD_LENGTH } from '../core/auth/passwords.ts';
import { ROLES, type Role } from '../core/domain/credentials.ts';
import { isE164 } from '../core/domain/phone-number.ts';
import { createBackend } from '../core/composition/backend.ts';
import { parseBackendConfig } from '../core/support/config.ts';
import { isAppError } from '../core/support/errors.ts';
import { createLogger } from '../core/support/log.ts';

/** Shortest password accepted for a new user (NIST SP 800-63B minimum for user-chosen secrets). */
const MIN_PASSWORD_LENGTH = 8;

const USAGE = `usage: CALLRELAY_USER_PASSWORD=… tsx scripts/create-user.ts --email EMAIL --org ORG [--role dispatcher|admin] [--phone +E164]
       (or pipe the password on stdin). Backend from CALLRELAY_BACKEND / GOOGLE_CLOUD_PROJECT / *_EMULATOR_HOST.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      org: { type: 'string' },
      role: { type: 'string', default: 'dispatcher' },
      phone: { type: 'string' },
    },
  });
  const email = values.email?.trim();
  const org = values.org?.trim();
  const role = values.role as Role;
  const phone = values.phone?.trim();
  if (
    !email ||
    !email.includes('@') ||
    !org ||
    !(ROLES as readonly string[]).includes(role) ||
    (phone !== undefined && !isE164(phone))
  ) {
    console.error(USAGE);
    return 2;
  }
  const password = process.env.CALLRELAY_USER_PASSWORD ?? (await readStdin());
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    console.error(`password must be ${MIN_PASSWORD_LENGTH}-${MAX_PASSWORD_LENGTH} characters`);
    return 2;
  }
  const backend = await createBackend(parseBackendConfig(), { logger: createLogger({ level: 'WARNING' }) });
  try {
    const user = await backend.users.createUser({
      userId: `usr_${randomUUID().replaceAll('-', '')}`,
      email,
      orgId: org,
      role,
      passwordHash: await hashPassword(password),
      ...(phone ? { phoneNumber: phone } : {}),
    });
    console.log(
      JSON.stringify({ userId: user.userId, email: user.email, orgId: user.orgId, role: user.role }),
    );
    return 0;
  } catch (err) {
    if (isAppError(err) && err.code === 'conflict') {
      console.error('a user with this email already exists');
      return 1;
    }
    throw err;
  } finally {
    await backend.close();
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

process.exitCode = await main();
