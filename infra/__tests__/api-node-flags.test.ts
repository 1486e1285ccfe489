import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { API_NODE_FLAGS } from '../api-node-flags';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** The API's command everywhere it is written: node, the flags, then tsx and the entry point. */
const EXPECTED = ['node', ...API_NODE_FLAGS, '--import', 'tsx', 'api/main.ts'];

describe('the API process runs with API_NODE_FLAGS wherever it is started', () => {
  it('in `npm run api`', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.api!.split(/\s+/)).toEqual(EXPECTED);
  });

  it("in the Docker image's CMD", () => {
    const cmd = read('Dockerfile')
      .split('\n')
      .filter((l) => l.startsWith('CMD '));
    expect(cmd).toHaveLength(1);
    expect(JSON.parse(cmd[0]!.slice(4))).toEqual(EXPECTED);
  });

  it("in docker-compose.yml's api service", () => {
    const lines = read('docker-compose.yml').split('\n');
    const start = lines.indexOf('  api:');
    expect(start).toBeGreaterThan(-1);
    const end = lines.findIndex((l, i) => i > start && /^ {2}\S/.test(l));
    const command = lines.slice(start, end === -1 ? undefined : end).find((l) => l.trimStart().startsWith('command:'));
    expect(command).toBeDefined();
    expect(JSON.parse(command!.trim().slice('command:'.length))).toEqual(EXPECTED);
  });

  it('and this Node accepts every flag', () => {
    const run = spawnSync(process.execPath, [...API_NODE_FLAGS, '-e', 'process.exit(0)'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
