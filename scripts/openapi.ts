/**
 * `npm run openapi` (the lead adds the script): writes the OpenAPI 3.1 document to openapi.json at
 * the project root for review. `--check` writes nothing and fails when the committed file differs
 * from the regenerated one (for CI).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { buildOpenApiDocument } from '../api/openapi/document';

async function main() {
  const target = resolve(__dirname, '..', 'openapi.json');
  const { version } = JSON.parse(await readFile(resolve(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  const { document, notes } = buildOpenApiDocument({ version });
  const text = `${JSON.stringify(document, null, 2)}\n`;
  for (const note of notes) process.stderr.write(`note: ${note.where}: ${note.problem}\n`);
  if (process.argv.includes('--check')) {
    const committed = await readFile(target, 'utf8').catch(() => '');
    if (committed !== text) {
      process.stderr.write('openapi.json is out of date: run npm run openapi and commit it\n');
      process.exit(1);
    }
    return;
  }
  await writeFile(target, text);
  process.stdout.write(`wrote ${target} (${Object.keys(document.paths as object).length} paths)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
