import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { generate } from 'otplib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PrismaAtolStore } from '../../activities/atol.prisma';
import { PrismaLedger } from '../../activities/ledger.prisma';
import type { AccessServices } from '../../infra/access';
import type { Database } from '../../infra/database';
import { TEST_ACCESS_SECRETS, testAccess } from '../../test/support/api-harness';
import { openTestPglite } from '../../test/support/databases';
import { authenticate, createUser } from '../access/authenticate';
import { authorize } from '../access/authorize';
import { CHEAP_PASSWORD_OPTIONS } from '../access/passwords';
import { routePolicy } from '../access/route-match';
import { encryptSecret, newTotpSecret } from '../access/totp';
import { errorHandler } from '../error-handler';
import { browserSessionRoutes, formBodies } from '../routes/browser-session.routes';
import { reportRoutes } from '../routes/reports.routes';

// The page functions below run in Chromium, not Node: the DOM globals they use, for the type checker only.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;
type HTMLCanvasElement = any;

const CHROMIUM = '/usr/bin/chromium';
const EMAIL = 'manager@itinera.test';
const PASSWORD = 'a long manager password';
const NOW = Date.parse('2027-04-30T10:00:00.000Z');
const day = (d: string) => new Date(`${d}T00:00:00.000Z`);

interface ChartView {
  id: string;
  labels: number;
  datasets: number[];
  painted: boolean;
}

describe('management dashboard in headless Chromium', () => {
  let db: Database;
  let server: Server;
  let browser: Browser;
  let context: BrowserContext;
  let access: AccessServices;
  let baseUrl: string;
  let totpSecret: string;

  /**
   * Opens the dashboard as a manager would: the first visit lands on the sign-in form (password,
   * then the authenticator code), which leads back to the dashboard; later visits have the cookie.
   */
  async function openDashboard(page: Page) {
    const response = await page.goto(`${baseUrl}/reports/dashboard`, { waitUntil: 'load' });
    if (!new URL(page.url()).pathname.startsWith('/auth/sign-in')) return response;
    expect(new URL(page.url()).search).toBe('?next=%2Freports%2Fdashboard');
    await page.fill('#email', EMAIL);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(/\/auth\/sign-in$/), page.click('button[type="submit"]')]);
    await page.fill('#code', await generate({ secret: totpSecret, epoch: Math.floor(Date.now() / 1000) }));
    const [signedIn] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === '/reports/dashboard'), page.click('button[type="submit"]')]);
    await page.waitForLoadState('load');
    expect(new URL(page.url()).pathname).toBe('/reports/dashboard');
    return signedIn;
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: .ci/run must install Debian's chromium package (apt-get install chromium) for the dashboard test`);
    }
    db = await openTestPglite();
    const bookings = [
      ['D-1', 'CONFIRMED', 'direct', 'EUR', '1200.00', '900.00', '2027-01-10T10:00:00Z', '2027-02-01'],
      ['D-2', 'PAID', 'agent', 'GBP', '800.00', '0', '2027-01-20T10:00:00Z', '2027-06-01'],
      ['D-3', 'CONFIRMED', 'online', 'EUR', '450.00', '450.00', '2027-03-05T10:00:00Z', '2027-05-20'],
      ['D-4', 'CANCELLED', 'direct', 'EUR', '300.00', '0', '2027-04-02T10:00:00Z', '2027-08-01'],
    ] as const;
    for (const [reference, status, channel, currency, amount, balanceDue, createdAt, travelDate] of bookings) {
      await db.prisma.booking.create({
        data: { reference, workflowId: `wf-${reference}`, customerId: `c-${reference}`, productCode: 'HOTEL', travelDate: day(travelDate), channel, amount, currency, balanceDue, status, expiresAt: new Date(createdAt), createdAt: new Date(createdAt) },
      });
    }
    for (const [componentId, start, amount] of [['hotel', '2027-05-20', '450.00'], ['tour', '2027-06-01', '800.00']] as const) {
      await db.prisma.deferredRevenueItem.create({
        data: { bookingRef: `D-${componentId}`, componentId, productType: 'hotels', channel: 'direct', amount, currency: componentId === 'tour' ? 'GBP' : 'EUR', serviceStart: day(start), serviceEnd: day(start), policy: 'AT_DEPARTURE', noShowPolicy: 'SCHEDULED_DATE', createdAt: new Date('2027-01-10T10:00:00Z') },
      });
    }
    // The manager signs in with a password and an authenticator; plain http here, as in local development.
    const user = await createUser(db.prisma, { email: EMAIL, name: 'Manager', role: 'MANAGEMENT', password: PASSWORD }, CHEAP_PASSWORD_OPTIONS);
    totpSecret = newTotpSecret();
    await db.prisma.user.update({ where: { id: user.id }, data: { mfaEnabled: true, totpSecret: encryptSecret(totpSecret, TEST_ACCESS_SECRETS.dataKey) } });
    access = testAccess(db, { settings: { cookieSecure: false } });
    const app = express();
    app.set('trust proxy', 'loopback');
    app.use(express.json());
    app.use(formBodies);
    app.use(routePolicy());
    app.use(authenticate(access.auth));
    app.use(authorize({ audit: access.audit }));
    app.use(browserSessionRoutes(access.auth));
    app.use(reportRoutes({ prisma: db.prisma, operatorTimeZone: 'Europe/London', atol: new PrismaAtolStore(db.prisma, new PrismaLedger(db.prisma)), now: () => NOW }));
    app.use(errorHandler);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // One context for the file: the session cookie signed in by the first test serves the next.
    context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await access?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await db?.close();
  });

  it('signs in through the form, then renders every chart with its datasets, without console errors or CSP violations', async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    // Init scripts run outside the page's CSP: they record any violation the page causes.
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e: any) => {
        (window as unknown as { cspViolations: string[] }).cspViolations ??= [];
        (window as unknown as { cspViolations: string[] }).cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
      });
    });

    const response = await openDashboard(page);
    expect(response?.status()).toBe(200);
    await page.waitForSelector('body[data-rendered="true"]', { timeout: 10_000 });

    const charts = await page.evaluate(() => {
      const Chart = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { data: { labels: unknown[]; datasets: Array<{ data: unknown[] }> } } | undefined } }).Chart;
      return ['volume-chart', 'channels-chart', 'deferred-chart', 'receivables-chart'].map((id) => {
        const canvas = document.getElementById(id) as HTMLCanvasElement;
        const chart = Chart.getChart(canvas);
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = false;
        for (let i = 3; i < pixels.length; i += 4) {
          if (pixels[i] !== 0) {
            painted = true;
            break;
          }
        }
        return { id, labels: chart ? chart.data.labels.length : -1, datasets: chart ? chart.data.datasets.map((d) => d.data.length) : [], painted };
      });
    });
    const expected: ChartView[] = [
      // Months with bookings (cancelled ones count as their month's row too): Jan, Mar, Apr.
      { id: 'volume-chart', labels: 3, datasets: [3], painted: true },
      // agent (GBP), direct (EUR), online (EUR): one dataset per currency over three channels.
      { id: 'channels-chart', labels: 3, datasets: [3, 3], painted: true },
      { id: 'deferred-chart', labels: 2, datasets: [2, 2], painted: true },
      // Five ageing buckets, one currency owed (EUR).
      { id: 'receivables-chart', labels: 5, datasets: [5], painted: true },
    ];
    expect(charts).toEqual(expected);

    // The accessible fallback: a table under each chart, which the canvas points at.
    for (const id of ['volume', 'channels', 'deferred', 'receivables']) {
      expect(await page.getAttribute(`#${id}-chart`, 'aria-describedby')).toBe(`${id}-table`);
      expect(await page.locator(`#${id}-table tbody tr`).count()).toBeGreaterThan(0);
    }
    expect(await page.locator('#receivables-table tbody tr th').allTextContents()).toEqual(['EUR']);
    expect(await page.evaluate(() => (window as unknown as { cspViolations?: string[] }).cspViolations ?? [])).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('blocks a script without the nonce (the policy is really enforced)', async () => {
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') violations.push(m.text());
    });
    await openDashboard(page);
    await page.waitForSelector('body[data-rendered="true"]');
    // An inline script added by the page itself (as an injected one would be) must not run.
    const ran = await page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.injected = true;';
      document.body.appendChild(s);
      await new Promise((r) => setTimeout(r, 50));
      return (window as unknown as { injected?: boolean }).injected === true;
    });
    expect(ran).toBe(false);
    expect(violations.some((v) => v.includes('Content Security Policy'))).toBe(true);
    await page.close();
  }, 30_000);

  it('signs out with the dashboard button: the session ends and the dashboard asks to sign in again', async () => {
    const page = await context.newPage();
    await openDashboard(page);
    await page.waitForSelector('body[data-rendered="true"]');
    const cookieName = 'itinera_session';
    const cookie = (await context.cookies(baseUrl)).find((c) => c.name === cookieName);
    expect(cookie).toEqual(expect.objectContaining({ httpOnly: true, sameSite: 'Strict', path: '/' }));
    await Promise.all([page.waitForURL(/\/auth\/sign-in$/), page.click('#sign-out-form button[type="submit"]')]);
    expect((await context.cookies(baseUrl)).some((c) => c.name === cookieName)).toBe(false);
    await page.goto(`${baseUrl}/reports/dashboard`, { waitUntil: 'load' });
    expect(new URL(page.url()).pathname).toBe('/auth/sign-in');
    expect(await page.isVisible('#email')).toBe(true);
    await page.close();
  }, 30_000);
});
