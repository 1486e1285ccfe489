/**
 * `npx tsx scripts/generate-legacy-export.ts --dir <folder> --seed N --customers N --today YYYY-MM-DD
 * [--trips-per-customer N] [--no-defects]`: writes a deterministic legacy CRM export
 * (sandbox/legacy-export/generator.ts) and its manifest.json, and prints what was planted.
 */
import { generateLegacyExport, summarizeManifest } from '../sandbox/legacy-export/generator';
import { isIsoDate } from '../domain/time/instant';

function main() {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const i = args.indexOf(name);
    return i < 0 ? undefined : args[i + 1];
  };
  const dir = option('--dir');
  const seed = Number(option('--seed') ?? 8);
  const customers = Number(option('--customers') ?? 1000);
  const tripsPerCustomer = Number(option('--trips-per-customer') ?? 10);
  const today = option('--today') ?? '';
  if (!dir || !Number.isSafeInteger(seed) || !Number.isSafeInteger(customers) || customers < 1 || !(tripsPerCustomer >= 1) || !isIsoDate(today)) {
    process.stderr.write('usage: generate-legacy-export --dir <folder> --today YYYY-MM-DD [--seed N] [--customers N] [--trips-per-customer N] [--no-defects]\n');
    process.exit(2);
  }
  const started = process.hrtime.bigint();
  const manifest = generateLegacyExport({ dir, seed, customers, tripsPerCustomer, today, defects: !args.includes('--no-defects') });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`${dir}: ${customers} customers in ${seconds.toFixed(1)} s\n${summarizeManifest(manifest)}\n`);
}

main();
