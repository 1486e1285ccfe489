/**
 * `npm run db:migration -- <name>`: writes the SQL migration from the last committed schema to the
 * working-tree `prisma/schema.prisma` into `prisma/migrations/<timestamp>_<name>/migration.sql`.
 *
 * `prisma migrate dev` needs a shadow database that the offline JS schema engine cannot provide,
 * so the migration is a diff of two datamodels instead. Review the SQL (add CHECK constraints or
 * triggers by hand where needed), then apply it with `npm run db:migrate`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../infra/config';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  process.stderr.write('usage: npm run db:migration -- <name>   (lower-case letters, digits and _ only)\n');
  process.exit(2);
}

const schema = path.join(PROJECT_ROOT, 'prisma', 'schema.prisma');
const previous = spawnSync('git', ['show', 'HEAD:prisma/schema.prisma'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
const from: string[] = previous.status === 0 ? ['--from-schema-datamodel', writeTemp(previous.stdout)] : ['--from-empty'];

function writeTemp(text: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'itinera-schema-')), 'schema.prisma');
  writeFileSync(file, text);
  return file;
}

const sql = execFileSync(
  process.execPath,
  [path.join(PROJECT_ROOT, 'node_modules', 'prisma', 'build', 'index.js'), 'migrate', 'diff', ...from, '--to-schema-datamodel', schema, '--script'],
  { cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' }, stdio: ['ignore', 'pipe', 'inherit'] },
)
  .split('\n')
  .filter((line) => !line.startsWith('Loaded Prisma config'))
  .join('\n');

if (/^-- This is an empty migration\.\s*$/m.test(sql) || sql.trim() === '') {
  process.stdout.write('No schema changes since the last commit: nothing written.\n');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
const dir = path.join(PROJECT_ROOT, 'prisma', 'migrations', `${stamp}_${name}`);
if (existsSync(dir)) throw new Error(`${dir} already exists`);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'migration.sql'), sql.endsWith('\n') ? sql : `${sql}\n`);
process.stdout.write(`Wrote ${path.relative(PROJECT_ROOT, dir)}/migration.sql — review it, then run npm run db:migrate\n`);
