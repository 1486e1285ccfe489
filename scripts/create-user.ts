/**
 * `tsx scripts/create-user.ts --email someone@agency.test --role ADMIN --branch LON [--name "..."] [--advisor-id ADV1] [--no-mfa]`
 *
 * Creates a staff user in the configured database (PGlite in ITINERA_PGLITE_DIR, or DATABASE_URL).
 * The password comes from ITINERA_NEW_USER_PASSWORD, else it is asked for on the terminal (at
 * least 12 characters, not the e-mail). Unless `--no-mfa`, the TOTP authenticator is enrolled at
 * once with the API's data key (ITINERA_DATA_KEY; on the embedded default the one in .data/): the
 * otpauth:// URI and ten recovery codes are printed once. Exit code 0 on success, 2 on a usage error.
 */
import { createInterface } from 'node:readline/promises';
import { isRole, ROLES } from '../domain/access/roles';
import { createUser } from '../api/access/authenticate';
import { passwordProblems } from '../api/access/passwords';
import { newEnrolment, totpUri } from '../api/access/totp';
import { DEFAULT_PASSWORD_OPTIONS } from '../api/access/passwords';
import { ConfigError, loadConfig } from '../infra/config';
import { accessSecrets } from '../infra/access';
import { openDatabase } from '../infra/database';

const USAGE = `usage: create-user --email EMAIL --role ${ROLES.join('|')} [--branch CODE] [--name NAME] [--advisor-id ID] [--no-mfa]`;
class UsageError extends Error {}

function parseArgs(argv: string[]) {
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected ${arg}\n${USAGE}`);
    const [flag, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (flag === 'no-mfa') {
      out.noMfa = true;
      continue;
    }
    if (!['email', 'role', 'branch', 'name', 'advisor-id'].includes(flag)) throw new UsageError(`unknown option --${flag}\n${USAGE}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${flag} needs a value\n${USAGE}`);
    out[flag] = value;
  }
  const { email, role } = out;
  if (typeof email !== 'string' || !email.includes('@')) throw new UsageError(`--email is required\n${USAGE}`);
  if (!isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}\n${USAGE}`);
  return {
    email: email.toLowerCase(),
    role,
    branch: typeof out.branch === 'string' ? out.branch : null,
    name: typeof out.name === 'string' ? out.name : email,
    advisorId: typeof out['advisor-id'] === 'string' ? out['advisor-id'] : null,
    mfa: out.noMfa !== true,
  };
}

async function readPassword(): Promise<string> {
  const fromEnv = process.env.ITINERA_NEW_USER_PASSWORD;
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) throw new UsageError('set ITINERA_NEW_USER_PASSWORD (no terminal to ask on)');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question('Password (at least 12 characters): ');
  } finally {
    rl.close();
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  // The API's own data key: ITINERA_DATA_KEY, or on the embedded default the one npm start keeps in .data/.
  const dataKey = args.mfa ? accessSecrets(config).dataKey : undefined;
  const password = await readPassword();
  const problems = passwordProblems(password, args.email);
  if (problems.length > 0) throw new UsageError(`the password ${problems.join('; ')}`);
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, pgliteDir: config.ITINERA_PGLITE_DIR });
  try {
    const user = await createUser(db.prisma, { email: args.email, name: args.name, role: args.role, branch: args.branch, advisorId: args.advisorId, password }, DEFAULT_PASSWORD_OPTIONS);
    process.stdout.write(`created ${user.role} ${user.email} (${user.id})\n`);
    if (args.mfa && dataKey) {
      const { secret, encryptedSecret, recoveryCodes, recoveryHashes } = await newEnrolment(dataKey, DEFAULT_PASSWORD_OPTIONS);
      await db.prisma.user.update({ where: { id: user.id }, data: { totpSecret: encryptedSecret, mfaEnabled: true, recoveryCodes: recoveryHashes } });
      process.stdout.write(
        [
          'MFA enrolled. Add this to an authenticator app (shown once):',
          `  ${totpUri('Itinera', user.email, secret)}`,
          `  secret: ${secret}`,
          'Recovery codes (each usable once; keep them offline):',
          ...recoveryCodes.map((c) => `  ${c}`),
          '',
        ].join('\n'),
      );
    } else {
      process.stdout.write('MFA not enrolled: sign in, then POST /auth/mfa/enrol and /auth/mfa/confirm.\n');
    }
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = err instanceof UsageError || err instanceof ConfigError ? 2 : 1;
});
