import { parse } from 'csv-parse/sync';
import express from 'express';
import request from 'supertest';
import { PrismaAtolStore } from '../../activities/atol.prisma';
import { seedChartOfAccounts } from '../../activities/chart-seed.prisma';
import { PrismaLedger } from '../../activities/ledger.prisma';
import { travelChartOfAccounts } from '../../domain/ledger/chart';
import type { Database } from '../../infra/database';
import { openTestPglite } from '../../test/support/databases';
import { errorHandler } from '../error-handler';
import { reportRoutes } from '../routes/reports.routes';
import { AgedReceivablesReport, AtolReturnReport, BookingVolumeReport, CustomerRetentionReport, DeferredRevenueReport, RevenueByChannelReport, SupplierPayablesReport } from '../schemas/reports.schema';

/** 2027-04-30 in London (BST). */
const NOW = Date.parse('2027-04-30T10:00:00.000Z');
const day = (d: string) => new Date(`${d}T00:00:00.000Z`);

const schedule = [
  { id: 'dep', kind: 'DEPOSIT', dueDate: '2027-01-16', dueAt: 0, amount: { amount: '200.00', currency: 'EUR' }, paid: '200.00', reminded: false },
  { id: 'bal', kind: 'BALANCE', dueDate: '2027-04-20', dueAt: 0, amount: { amount: '800.00', currency: 'EUR' }, paid: '0', reminded: false },
];
const components = [
  { kind: 'HOTEL', status: 'CONFIRMED', supplierCode: 'HOTELCO', serviceStart: '2027-06-01', pax: 2, cost: { amount: '600.00', currency: 'EUR' }, settlement: null },
];

async function booking(db: Database, b: { reference: string; status: string; channel: string | null; currency: string; amount: string; balanceDue: string; createdAt: string; travelDate: string; productCode?: string; snapshot?: object; customerId?: string }) {
  await db.prisma.booking.create({
    data: {
      reference: b.reference,
      workflowId: `booking-${b.reference}`,
      customerId: b.customerId ?? 'c-1',
      productCode: b.productCode ?? 'HOTEL',
      travelDate: day(b.travelDate),
      channel: b.channel,
      amount: b.amount,
      currency: b.currency,
      paid: '0',
      balanceDue: b.balanceDue,
      status: b.status as never,
      ...(b.snapshot ? { snapshot: b.snapshot } : {}),
      expiresAt: new Date(b.createdAt),
      createdAt: new Date(b.createdAt),
    },
  });
}

describe('management reports API (embedded PGlite)', () => {
  let db: Database;
  let app: express.Express;

  beforeAll(async () => {
    db = await openTestPglite();
    await seedChartOfAccounts(db.prisma, travelChartOfAccounts());
    const ledger = new PrismaLedger(db.prisma);
    const atol = new PrismaAtolStore(db.prisma, ledger);
    await atol.seedDefaultAtolRules();

    await booking(db, { reference: 'R-A', status: 'CONFIRMED', channel: 'direct', currency: 'EUR', amount: '1000.00', balanceDue: '800.00', createdAt: '2027-01-15T12:00:00Z', travelDate: '2027-06-01', productCode: 'FLIGHT+HOTEL', snapshot: { schedule, components, group: null } });
    await booking(db, { reference: 'R-B', status: 'PAID', channel: 'agent', currency: 'GBP', amount: '500.00', balanceDue: '0', createdAt: '2027-02-03T09:00:00Z', travelDate: '2027-05-10', customerId: 'c-2' });
    await booking(db, { reference: 'R-C', status: 'CANCELLED', channel: 'direct', currency: 'EUR', amount: '300.00', balanceDue: '0', createdAt: '2027-01-20T09:00:00Z', travelDate: '2027-07-01' });
    await booking(db, { reference: 'R-D', status: 'DRAFT', channel: 'direct', currency: 'EUR', amount: '999.00', balanceDue: '999.00', createdAt: '2027-01-10T09:00:00Z', travelDate: '2027-07-01' });
    // 23:30 UTC on 31 March is 00:30 on 1 April in London (BST): an April booking.
    await booking(db, { reference: 'R-E', status: 'CONFIRMED', channel: 'agent', currency: 'GBP', amount: '0.10', balanceDue: '0.10', createdAt: '2027-03-31T23:30:00Z', travelDate: '2027-01-20', customerId: 'c-2' });
    await db.prisma.commissionRecord.create({
      data: { bookingRef: 'R-B', supplier: 'HOTELCO', productType: 'hotels', channel: 'agent', saleDate: day('2027-02-03'), saleAmount: '500.00', currency: 'GBP', commission: '40.00', subAgentCode: 'SUB1', subAgentCommission: '50.00' },
    });
    await db.prisma.channelReservation.create({
      data: {
        channelManagerCode: 'CM1', reservationId: 'X1', hotelCode: 'H1', originatingChannel: '</script><b>ota', status: 'CONFIRMED', appliedVersion: 1n, holdReferences: [],
        total: '250.00', currency: 'EUR', guestName: 'Guest', arrival: day('2027-05-01'), departure: day('2027-05-03'), createdAt: new Date('2027-03-10T10:00:00Z'),
      },
    });
    await db.prisma.deferredRevenueItem.create({
      data: { bookingRef: 'R-A', componentId: 'hotel', productType: 'hotels', channel: 'direct', amount: '600.00', currency: 'EUR', serviceStart: day('2027-06-01'), serviceEnd: day('2027-06-07'), policy: 'PRO_RATA_DAILY', noShowPolicy: 'SCHEDULED_DATE', createdAt: new Date('2027-01-15T12:00:00Z') },
    });
    // A supplier payment of 100.00 EUR on R-A, and a later one after the report date.
    const accounts = Object.fromEntries((await db.prisma.ledgerAccount.findMany()).map((a) => [a.code, a.id]));
    for (const [key, date, amount] of [['sp-1', '2027-04-01', '100.00'], ['sp-2', '2027-05-15', '500.00']] as const) {
      await db.prisma.journalEntry.create({
        data: {
          idempotencyKey: key, contentHash: '0'.repeat(64), description: 'Supplier payment', accountingDate: day(date), kind: 'supplier-payment', bookingRef: 'R-A',
          postings: { create: [{ accountId: accounts['liability:payable:suppliers']!, side: 'DEBIT', amount, currency: 'EUR' }, { accountId: accounts['asset:bank:EUR']!, side: 'CREDIT', amount, currency: 'EUR' }] },
        },
      });
    }
    for (const [id, trips, first] of [['c-1', 2, '2019-05-01'], ['c-2', 1, '2019-08-01'], ['c-3', 3, '2021-02-01'], ['c-4', 0, null]] as const) {
      await db.prisma.customer.create({ data: { id, lastName: id, searchName: id, preferences: {}, contactPreferences: {}, tripCount: trips, firstTripOn: first ? day(first) : null, lastTripOn: first ? day('2026-12-01') : null } });
    }
    await atol.createLicence({ number: '5432', holder: 'Itinera Travel Ltd', turnoverBand: 'UP_TO_5M', validFrom: '2026-01-01' });
    for (const [ref, departure] of [['R-ATOL1', '2027-05-14'], ['R-ATOL2', '2027-07-02']] as const) {
      await atol.classifyAndRecord({ bookingRef: ref, bookingDate: '2027-01-05', sellerCountry: 'GB', passengers: 2, departureDate: departure, revenue: { amount: '980.00', currency: 'GBP' }, components: [{ type: 'flight' }, { type: 'hotel' }] });
    }

    app = express();
    app.use(reportRoutes({ prisma: db.prisma, operatorTimeZone: 'Europe/London', atol, now: () => NOW }));
    app.use(errorHandler);
  });
  afterAll(() => db?.close());

  const csv = (text: string) => parse(text, { columns: true }) as Array<Record<string, string>>;
  const pointers = (body: { errors?: { pointer: string }[] }) => body.errors?.map((e) => e.pointer);

  it('reports booking volume by month over the last twelve months, JSON and CSV agreeing', async () => {
    const json = await request(app).get('/reports/booking-volume').expect(200);
    // Every JSON answer has the shape the OpenAPI document gives it.
    BookingVolumeReport.parse(json.body);
    expect(json.body).toMatchObject({ from: '2026-05-01', to: '2027-04-30', groupBy: 'month', basis: 'booked' });
    expect(json.body.rows).toEqual([
      { key: '2027-01', currency: 'EUR', bookings: 1, pax: 2, paxUnknown: 0, gross: '1000.00', cancelledBookings: 1, cancelledGross: '300.00' },
      { key: '2027-02', currency: 'GBP', bookings: 1, pax: 0, paxUnknown: 1, gross: '500.00', cancelledBookings: 0, cancelledGross: '0.00' },
      { key: '2027-04', currency: 'GBP', bookings: 1, pax: 0, paxUnknown: 1, gross: '0.10', cancelledBookings: 0, cancelledGross: '0.00' },
    ]);
    const file = await request(app).get('/reports/booking-volume').query({ format: 'csv' }).expect(200);
    expect(file.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(file.headers['content-disposition']).toBe('attachment; filename="booking-volume-2026-05-01-2027-04-30.csv"');
    expect(csv(file.text).map((r) => [r.month, r.currency, Number(r.bookings), r.gross, Number(r.cancelled_bookings), r.cancelled_gross])).toEqual(
      json.body.rows.map((r: Record<string, unknown>) => [r.key, r.currency, r.bookings, r.gross, r.cancelledBookings, r.cancelledGross]),
    );
    const byProduct = await request(app).get('/reports/booking-volume').query({ groupBy: 'product', currency: 'GBP' }).expect(200);
    BookingVolumeReport.parse(byProduct.body);
    expect(byProduct.body.rows.map((r: { key: string; bookings: number; gross: string }) => [r.key, r.bookings, r.gross])).toEqual([['HOTEL', 2, '500.10']]);
  });

  it('refuses bad filters naming each parameter', async () => {
    const bad = await request(app).get('/reports/booking-volume').query({ from: '2027-02-30', groupBy: 'week', currency: 'EURO', extra: '1' }).expect(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect([...new Set(pointers(bad.body))].sort()).toEqual(['query:/currency', 'query:/extra', 'query:/from', 'query:/groupBy']);
    const reversed = await request(app).get('/reports/revenue-by-channel').query({ from: '2027-03-01', to: '2027-01-01' }).expect(400);
    expect(reversed.body.errors).toEqual([{ pointer: 'query:/to', detail: 'must not be before from' }]);
    const onlyFrom = await request(app).get('/reports/revenue-by-channel').query({ from: '2027-05-01' }).expect(400);
    expect(pointers(onlyFrom.body)).toEqual(['query:/from']);
    expect(pointers((await request(app).get('/reports/aged-receivables').query({ asOf: 'today', format: 'xls' }).expect(400)).body)?.sort()).toEqual(['query:/asOf', 'query:/format']);
  });

  it('reports revenue by channel with sub-agent commission, OTA reservations apart', async () => {
    const json = await request(app).get('/reports/revenue-by-channel').query({ from: '2027-01-01', to: '2027-04-30' }).expect(200);
    RevenueByChannelReport.parse(json.body);
    expect(json.body.rows).toEqual([
      { channel: 'agent', currency: 'GBP', bookings: 2, gross: '500.10', commission: '50.00', net: '450.10' },
      { channel: 'direct', currency: 'EUR', bookings: 1, gross: '1000.00', commission: '0.00', net: '1000.00' },
      { channel: 'ota:</script><b>ota', currency: 'EUR', bookings: 1, gross: '250.00', commission: null, net: null },
    ]);
    const file = await request(app).get('/reports/revenue-by-channel').query({ from: '2027-01-01', to: '2027-04-30', format: 'csv' }).expect(200);
    expect(csv(file.text)).toEqual(json.body.rows.map((r: Record<string, unknown>) => ({ channel: r.channel, currency: r.currency, bookings: String(r.bookings), gross: r.gross, commission: r.commission ?? '', net: r.net ?? '' })));
  });

  it('reports customer retention with the repeat rate by year of first trip', async () => {
    const json = await request(app).get('/reports/customer-retention').expect(200);
    CustomerRetentionReport.parse(json.body);
    expect(json.body).toMatchObject({ asOf: '2027-04-30', customers: 4, customersWithTrips: 3, repeatCustomers: 2, repeatRate: '0.6667' });
    expect(json.body.byFirstTripYear).toEqual([
      { year: 2019, customers: 2, repeatCustomers: 1, repeatRate: '0.5000' },
      { year: 2021, customers: 1, repeatCustomers: 1, repeatRate: '1.0000' },
    ]);
    const file = await request(app).get('/reports/customer-retention').query({ format: 'csv' }).expect(200);
    expect(file.text.split('\r\n')).toEqual(['first_trip_year,customers,repeat_customers,repeat_rate', '2019,2,1,0.5000', '2021,1,1,1.0000', 'all,3,2,0.6667', '']);
  });

  it('reports deferred revenue by travel month as of a date', async () => {
    expect(DeferredRevenueReport.parse((await request(app).get('/reports/deferred-revenue').query({ asOf: '2027-04-30' }).expect(200)).body)).toEqual({
      asOf: '2027-04-30',
      currency: null,
      months: [{ travelMonth: '2027-06', currency: 'EUR', items: 1, remaining: '600.00' }],
    });
    expect((await request(app).get('/reports/deferred-revenue').query({ asOf: '2027-01-14' }).expect(200)).body.months).toEqual([]);
    const file = await request(app).get('/reports/deferred-revenue').query({ format: 'csv' }).expect(200);
    expect(csv(file.text)).toEqual([{ travel_month: '2027-06', currency: 'EUR', items: '1', remaining: '600.00' }]);
  });

  it('ages receivables from the payment schedule (or the balance due on the travel date)', async () => {
    const json = await request(app).get('/reports/aged-receivables').expect(200);
    AgedReceivablesReport.parse(json.body);
    expect(json.body.customers).toEqual([
      { customerId: 'c-1', currency: 'EUR', bookings: 1, current: '0.00', '1-30': '800.00', '31-60': '0.00', '61-90': '0.00', '90+': '0.00', total: '800.00' },
      { customerId: 'c-2', currency: 'GBP', bookings: 1, current: '0.00', '1-30': '0.00', '31-60': '0.00', '61-90': '0.00', '90+': '0.10', total: '0.10' },
    ]);
    expect(json.body.totals.map((t: { currency: string; total: string }) => [t.currency, t.total])).toEqual([['EUR', '800.00'], ['GBP', '0.10']]);
    // Before the balance fell due: current.
    const earlier = await request(app).get('/reports/aged-receivables').query({ asOf: '2027-04-20', currency: 'EUR' }).expect(200);
    AgedReceivablesReport.parse(earlier.body);
    expect(earlier.body.totals).toEqual([{ currency: 'EUR', current: '800.00', '1-30': '0.00', '31-60': '0.00', '61-90': '0.00', '90+': '0.00', total: '800.00' }]);
    const file = csv((await request(app).get('/reports/aged-receivables').query({ format: 'csv' }).expect(200)).text);
    expect(file.map((r) => [r.customer_id, r.currency, r['1-30'], r['90+'], r.total])).toEqual([
      ['c-1', 'EUR', '800.00', '0.00', '800.00'], ['c-2', 'GBP', '0.00', '0.10', '0.10'], ['TOTAL', 'EUR', '800.00', '0.00', '800.00'], ['TOTAL', 'GBP', '0.00', '0.10', '0.10'],
    ]);
  });

  it('reports supplier payables less the supplier payments recorded by the report date', async () => {
    const json = await request(app).get('/reports/supplier-payables').expect(200);
    SupplierPayablesReport.parse(json.body);
    expect(json.body.suppliers).toEqual([{ supplier: 'HOTELCO', currency: 'EUR', bookings: 1, overdue: '0.00', '0-30': '0.00', '31-60': '500.00', '61-90': '0.00', '90+': '0.00', total: '500.00' }]);
    // After the second payment, nothing is owed.
    expect((await request(app).get('/reports/supplier-payables').query({ asOf: '2027-05-20' }).expect(200)).body.totals).toEqual([]);
    const file = csv((await request(app).get('/reports/supplier-payables').query({ format: 'csv' }).expect(200)).text);
    expect(file.map((r) => [r.supplier, r['31-60'], r.total])).toEqual([['HOTELCO', '500.00', '500.00'], ['TOTAL', '500.00', '500.00']]);
  });

  it('cuts the ATOL return to a quarter, JSON and CSV', async () => {
    const json = await request(app).get('/reports/atol-return').query({ quarter: '2027-Q2' }).expect(200);
    AtolReturnReport.parse(json.body);
    expect(json.body).toMatchObject({ licence: { number: '5432', returnFrequency: 'QUARTERLY' }, quarter: '2027-Q2', startsOn: '2027-04-01', endsOn: '2027-06-30' });
    expect(json.body.total).toMatchObject({ bookings: 1, passengers: { package: 2, flightOnly: 0, total: 2 }, revenue: [{ currency: 'GBP', package: '980.00', flightOnly: '0.00', total: '980.00' }] });
    const file = await request(app).get('/reports/atol-return').query({ quarter: '2027-Q2', licence: '5432', format: 'csv' }).expect(200);
    expect(file.headers['content-disposition']).toBe('attachment; filename="atol-return-5432-2027-Q2.csv"');
    const rows = csv(file.text);
    expect(rows.map((r) => [r.period, r.bookings])).toEqual([['2027-Q2', '1'], ['TOTAL', '1']]);
    expect(pointers((await request(app).get('/reports/atol-return').query({ quarter: '2027-Q5' }).expect(400)).body)).toEqual(['query:/quarter']);
    expect(pointers((await request(app).get('/reports/atol-return').expect(400)).body)).toEqual(['query:/quarter']);
    await request(app).get('/reports/atol-return').query({ quarter: '2027-Q2', licence: '9999' }).expect(404);
  });

  it('serves the dashboard with a nonce CSP and its data escaped inside the page', async () => {
    const page = await request(app).get('/reports/dashboard').expect(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = page.headers['content-security-policy'] as string;
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const scripts = [...page.text.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.filter((attrs) => !attrs!.includes('type="application/json"')).every((attrs) => attrs!.includes(`nonce="${nonce}"`))).toBe(true);
    // The OTA name holding "</script><b>" neither closes the data element nor becomes markup.
    expect(page.text).not.toContain('</script><b>');
    expect(page.text).toContain('&lt;/script&gt;&lt;b&gt;ota');
    const embedded = /<script type="application\/json" id="dashboard-data">([^<]*)<\/script>/.exec(page.text)?.[1];
    expect(JSON.parse(embedded!).channels.map((c: { channel: string }) => c.channel)).toContain('ota:</script><b>ota');
    const second = await request(app).get('/reports/dashboard').expect(200);
    expect(second.headers['content-security-policy']).not.toBe(csp);
  });

  it('serves only Chart.js from the assets route', async () => {
    const js = await request(app).get('/reports/assets/chart.umd.min.js').expect(200);
    expect(js.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(js.text).toContain('Chart');
    for (const file of ['chart.cjs', '..%2Fpackage.json', '..%2F..%2F..%2Fpackage.json', '%2Fetc%2Fpasswd', '.env']) {
      const refused = await request(app).get(`/reports/assets/${file}`);
      expect([refused.status, refused.text]).toEqual([404, expect.not.stringContaining('"name"')]);
    }
  });
});
