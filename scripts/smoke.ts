/**
 * `npm run smoke`: proves the README's run command end to end, as a person would use it.
 * Starts `npm start` (own data folder under the OS temp dir), waits for it to say it is running,
 * opens a lifecycle booking over HTTP (held, paid in full, read back with its ledger), finds it in
 * Temporal by BookingReference, then presses "Ctrl-C" (SIGINT to the process group) and checks that
 * everything it started has exited.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Dec } from '../domain/money/money';
import { PROJECT_ROOT } from '../infra/config';
import { temporalCliPath } from '../infra/tools';
import { localApiKey } from '../infra/access';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'itinera-smoke-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ITINERA_PGLITE_DIR: path.join(dataDir, 'pglite'),
  TEMPORAL_DEV_DB_FILE: path.join(dataDir, 'temporal.sqlite'),
  LOG_LEVEL: 'info',
};
delete env.DATABASE_URL;
delete env.TEMPORAL_ADDRESS;

function fail(message: string): never {
  process.stderr.write(`smoke: FAILED: ${message}\n`);
  process.exit(1);
}

function childrenAlive(): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes(dataDir) && !line.includes('ps -eo'));
}

async function main() {
  const app = spawn('npm', ['start'], { cwd: PROJECT_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  app.stdout.on('data', (c: Buffer) => (output += c.toString()));
  app.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => app.once('exit', (code) => resolve(code)));

  try {
    const started = Date.now();
    while (!output.includes('Itinera is running.')) {
      if (app.exitCode !== null) fail(`npm start exited with ${app.exitCode}:\n${output}`);
      if (Date.now() - started > 120_000) fail(`npm start did not report running within 120 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const api = /API\s+(http:\/\/\S+)/.exec(output)?.[1] ?? fail(`no API URL printed:\n${output}`);
    const ui = /Temporal UI\s+(http:\/\/\S+)/.exec(output)?.[1] ?? fail(`no Temporal UI URL printed:\n${output}`);
    process.stdout.write(`smoke: npm start is up in ${Date.now() - started} ms (API ${api}, UI ${ui})\n`);

    // The API key npm start left for the local scripts, in this run's data folder.
    const key = localApiKey(dataDir);
    if (!key) fail(`npm start left no API key in ${dataDir}/local-api-key`);
    const auth = { 'x-api-key': key! };
    const unauthenticated = await fetch(`${api}/bookings`);
    if (unauthenticated.status !== 401) fail(`GET /bookings without credentials answered ${unauthenticated.status}, not 401`);
    // The first admin signs in with the password npm start wrote; until MFA is enrolled only /auth/* answers them.
    const admin = /password: (\S+)/.exec(readFileSync(path.join(dataDir, 'initial-admin.txt'), 'utf8'))?.[1] ?? fail('no initial admin password written');
    const login = await fetch(`${api}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@itinera.local', password: admin }) });
    const session = (await login.json()) as { accessToken?: string; mfaEnrolmentRequired?: boolean };
    if (login.status !== 200 || !session.accessToken || session.mfaEnrolmentRequired !== true) fail(`admin sign-in answered ${login.status}: ${JSON.stringify(session)}`);
    const me = await fetch(`${api}/auth/me`, { headers: { authorization: `Bearer ${session.accessToken}` } });
    const beforeMfa = await fetch(`${api}/bookings`, { headers: { authorization: `Bearer ${session.accessToken}` } });
    if (me.status !== 200 || beforeMfa.status !== 403) fail(`signed-in admin: /auth/me ${me.status} (want 200), /bookings before MFA ${beforeMfa.status} (want 403)`);
    process.stdout.write('smoke: no credentials → 401; the first admin signs in and is asked to enrol MFA first\n');
    const ready = await fetch(`${api}/readyz`);
    if (ready.status !== 200) fail(`/readyz answered ${ready.status}: ${await ready.text()}`);
    const uiPage = await fetch(ui);
    if (uiPage.status !== 200) fail(`Temporal UI answered ${uiPage.status}`);

    // The embedded demo catalog answers an availability search with priced options.
    const checkIn = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const checkOut = new Date(Date.now() + 33 * 86_400_000).toISOString().slice(0, 10);
    const search = await fetch(`${api}/catalog/availability?destination=IT-ROME&checkIn=${checkIn}&checkOut=${checkOut}&adults=2&currency=GBP&limit=5`, { headers: auth });
    const options = (await search.json()) as { items?: { productCode: string; totalSell: string }[] };
    if (search.status !== 200 || !options.items?.length) fail(`GET /catalog/availability answered ${search.status}: ${JSON.stringify(options)}`);
    process.stdout.write(`smoke: availability search found ${options.items!.length} priced options (cheapest ${options.items![0]!.productCode} at GBP ${options.items![0]!.totalSell})\n`);

    // With no flight supplier configured, npm start runs the sandbox GDS as its own process.
    const flights = /Flights\s+sandbox GDS (http:\/\/\S+)/.exec(output)?.[1] ?? fail(`no sandbox GDS URL printed:\n${output}`);
    const gdsHealth = await fetch(`${flights}/sandbox/health`);
    if (gdsHealth.status !== 200 || gdsHealth.headers.get('x-sandbox') !== 'true') fail(`sandbox GDS health answered ${gdsHealth.status}`);
    process.stdout.write(`smoke: sandbox GDS answers at ${flights}\n`);

    // On the embedded default the sandbox channel manager runs too: the start-up reconciliation
    // fills its channels with the demo hotels' counts, and a booking it sends is stored and applied.
    const hub = /Channels\s+sandbox channel manager (http:\/\/\S+)/.exec(output)?.[1] ?? fail(`no sandbox channel manager URL printed:\n${output}`);
    const count = async () => ((await (await fetch(`${hub}/channels/EXPEDIA/state?hotel=H00001`)).json()) as { counts?: { roomType: string; date: string; count: number }[] }).counts?.find((c) => c.roomType === 'STD' && c.date === checkIn)?.count;
    let before: number | undefined;
    for (let i = 0; i < 120 && before === undefined; i++) {
      before = await count();
      if (before === undefined) await new Promise((r) => setTimeout(r, 250));
    }
    if (before === undefined) fail('the sandbox channels never received the demo hotels\' counts');
    const booked = await fetch(`${hub}/control/reservations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        channel: 'BOOKING', reservationId: 'SMOKE-1', status: 'Commit', hotelCode: 'H00001', lastModified: new Date().toISOString(),
        roomStays: [{ roomType: 'STD', ratePlan: 'BAR', arrival: checkIn, departure: checkOut, quantity: 1, adults: 2, children: 0, amount: '300.00', currency: 'EUR' }],
        guest: { givenName: 'Smoke', surname: 'Test' },
      }),
    });
    if (booked.status !== 200 || !(await booked.text()).includes('Success')) fail(`the channel booking was not acknowledged (${booked.status})`);
    let after = before;
    for (let i = 0; i < 120 && after === before; i++) {
      await new Promise((r) => setTimeout(r, 250));
      after = (await count()) ?? before;
    }
    if (after !== before! - 1) fail(`a BOOKING sale of H00001 did not reach EXPEDIA (count ${before} → ${after})`);
    process.stdout.write(`smoke: a channel booking on BOOKING closed a room on EXPEDIA (${before} → ${after}) via ${hub}\n`);

    // A lifecycle booking of the cheapest demo hotel for the same nights: held, paid in full, read back with its ledger.
    const hotels = await fetch(`${api}/catalog/availability?destination=IT-ROME&checkIn=${checkIn}&checkOut=${checkOut}&adults=2&rooms=1&type=HOTEL&currency=GBP&limit=1`, { headers: auth });
    const hotel = ((await hotels.json()) as { items?: { supplierCode: string; productCode: string; category: string; ratePlan: string }[] }).items?.[0];
    if (hotels.status !== 200 || !hotel) fail(`no demo hotel free in IT-ROME from ${checkIn} to ${checkOut} (${hotels.status})`);
    const created = await fetch(`${api}/bookings`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': `smoke-${path.basename(dataDir)}` },
      body: JSON.stringify({
        customerId: 'C-SMOKE',
        currency: 'GBP',
        departureDate: checkIn,
        returnDate: checkOut,
        components: [{ id: 'hotel', kind: 'HOTEL', supplierCode: hotel!.supplierCode, productCode: hotel!.productCode, category: hotel!.category, ratePlan: hotel!.ratePlan, startDate: checkIn, nights: 3, units: [{ adults: 2, childAges: [] }] }],
      }),
    });
    const body = (await created.json()) as { reference?: string; status?: string; total?: { amount: string; currency: string } };
    if (created.status !== 201 || !body.reference || body.status !== 'HELD' || !body.total) fail(`POST /bookings answered ${created.status}: ${JSON.stringify(body)}`);
    process.stdout.write(`smoke: booking ${body.reference} HELD, total ${body.total!.currency} ${body.total!.amount}\n`);
    const paid = await fetch(`${api}/bookings/${body.reference}/payments`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': `smoke-pay-${body.reference}` },
      body: JSON.stringify({ amount: body.total, method: 'card' }),
    });
    const outcome = (await paid.json()) as { status?: string; balanceDue?: { amount: string } };
    if (paid.status !== 200 || outcome.status !== 'PAID' || !new Dec(outcome.balanceDue?.amount ?? '1').isZero()) fail(`paying ${body.reference} in full answered ${paid.status}: ${JSON.stringify(outcome)}`);
    const fetched = await fetch(`${api}/bookings/${body.reference}`, { headers: auth });
    const detail = (await fetched.json()) as { status?: string; ledger?: { description: string }[] };
    if (fetched.status !== 200 || detail.status !== 'PAID' || !detail.ledger?.length) fail(`GET /bookings/${body.reference} answered ${fetched.status}: ${JSON.stringify(detail)}`);
    process.stdout.write(`smoke: booking ${body.reference} PAID; its ledger has ${detail.ledger!.length} entries (${detail.ledger!.map((e) => e.description).join('; ')})\n`);

    const address = /Temporal\s+(127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '127.0.0.1:7233';
    let listed = '';
    for (let i = 0; i < 40 && !listed.includes(`booking-${body.reference}`); i++) {
      listed = execFileSync(temporalCliPath(), ['workflow', 'list', '--address', address, '--query', `BookingReference="${body.reference}"`], { encoding: 'utf8' });
      if (!listed.includes(`booking-${body.reference}`)) await new Promise((r) => setTimeout(r, 250));
    }
    if (!listed.includes('BookingWorkflow')) fail(`BookingReference="${body.reference}" found nothing:\n${listed}`);
    process.stdout.write(`smoke: booking ${body.reference} found in Temporal by BookingReference\n`);
  } catch (err) {
    process.kill(-app.pid!, 'SIGKILL');
    throw err;
  }

  // Ctrl-C: the terminal signals the whole foreground process group. npm itself dies of the
  // signal at once; the app then drains and stops what it started. Wait for all of it to be gone.
  const pgid = app.pid!;
  process.kill(-pgid, 'SIGINT');
  await exited;
  const groupAlive = () => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + 60_000;
  while (groupAlive() || childrenAlive().length) {
    if (Date.now() > deadline) {
      const leftovers = childrenAlive();
      const group = execFileSync('ps', ['-eo', 'pid,pgid,args'], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.trim().split(/\s+/)[1] === String(pgid))
        .join('\n');
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // the group may have gone in the meantime
      }
      for (const line of leftovers) {
        const pid = Number(line.trim().split(/\s+/)[0]);
        if (pid) process.kill(pid, 'SIGKILL');
      }
      fail(`process group:\n${group}\n` + `still running 60 s after Ctrl-C:\n${leftovers.join('\n')}\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!output.includes('worker drained and stopped')) fail(`the worker did not report a graceful drain:\n${output}`);
  process.stdout.write('smoke: Ctrl-C stopped the API, the worker and the Temporal dev server; nothing left running\n');
}

main()
  .then(() => rmSync(dataDir, { recursive: true, force: true }))
  .catch((err: unknown) => fail(err instanceof Error ? err.stack ?? err.message : String(err)));
