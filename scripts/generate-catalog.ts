/**
 * `npx tsx scripts/generate-catalog.ts <folder> [--seed N] [--start YYYY-MM-DD]`: writes the
 * deterministic mid-size catalog (bench/support/catalog-generator.ts) as suppliers.json,
 * products.json, suppliers.csv and products.csv, ready for `catalog:import`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateCatalog } from '../sandbox/catalog-generator';
import { productsToCsv, suppliersToCsv } from '../domain/catalog/import-rows';
import { isIsoDate } from '../domain/time/instant';

function main() {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const [value] = args.splice(i, 2).slice(1);
    return value;
  };
  const seed = Number(option('--seed') ?? 42);
  const startDate = option('--start') ?? '2027-01-04';
  const [folder] = args;
  if (!folder || !Number.isSafeInteger(seed) || !isIsoDate(startDate)) {
    process.stderr.write('usage: generate-catalog <folder> [--seed N] [--start YYYY-MM-DD]\n');
    process.exit(2);
  }
  const { suppliers, products } = generateCatalog({ seed, startDate });
  mkdirSync(folder, { recursive: true });
  const write = (name: string, text: string) => {
    writeFileSync(path.join(folder, name), text);
    process.stdout.write(`${path.join(folder, name)}: ${(text.length / 1024 / 1024).toFixed(1)} MiB\n`);
  };
  write('suppliers.json', JSON.stringify(suppliers, null, 1));
  write('products.json', JSON.stringify(products));
  write('suppliers.csv', suppliersToCsv(suppliers));
  write('products.csv', productsToCsv(products));
  process.stdout.write(`${suppliers.length} suppliers, ${products.length} products (${products.reduce((n, p) => n + p.rates.length, 0)} rates)\n`);
}

main();
