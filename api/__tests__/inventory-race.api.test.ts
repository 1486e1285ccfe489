import type { Server } from 'node:http';
import request from 'supertest';
import { openDatabase, type Database } from '../../infra/database';
import { catalogTestApp } from '../../test/support/api-harness';
import { openTestPglite } from '../../test/support/databases';
import { createIsolatedDatabase } from '../../test/support/postgres';

const NOW = Date.parse('2027-05-01T10:00:00.000Z');
const ATTEMPTS = 200;
const ALLOTMENT = 12;
/** Sold before the race: the race is for the last ALLOTMENT - PRESOLD rooms. */
const PRESOLD = 2;
const LAST_ROOMS = ALLOTMENT - PRESOLD;

/** A PostgreSQL database of this file's own, with a pool large enough that the requests really run at once. */
async function openRacingPostgres(): Promise<Database> {
  const template = process.env.ITINERA_TEST_PG_TEMPLATE_URL;
  if (!template) throw new Error('ITINERA_TEST_PG_TEMPLATE_URL is not set: run the tests through npm test');
  return openDatabase({ databaseUrl: await createIsolatedDatabase(template), poolSize: 12 });
}

/**
 * THE RACE through the HTTP API: 200 simultaneous `POST /catalog/holds` of one room for two
 * nights each, distinct references, for the last 10 rooms. Exactly 10 win; the 190 others get the
 * sold-out problem naming the nights; the counters and the holds table agree afterwards.
 */
describe.each([
  ['embedded PGlite', openTestPglite],
  ['PostgreSQL, pool of 12', openRacingPostgres],
])('inventory race through the API (%s)', (_name, open) => {
  let db: Database;
  let server: Server;

  beforeAll(async () => {
    db = await open();
    const { app } = catalogTestApp(db, { today: () => '2027-05-01', operatorTimeZone: 'UTC', now: () => NOW });
    server = app.listen(0);

    await request(server)
      .post('/catalog/suppliers')
      .send({
        code: 'RACE',
        name: 'Race hotels',
        type: 'HOTEL',
        paymentTerms: { depositPercent: '0', balanceDueDaysBeforeTravel: 30, netDaysAfterInvoice: 30 },
        preferredPaymentMethod: 'VIRTUAL_CARD',
        invoiceCurrency: 'EUR',
        paymentCurrency: 'EUR',
      })
      .expect(201);
    await request(server)
      .post('/catalog/products')
      .send({
        type: 'HOTEL',
        supplierCode: 'RACE',
        code: 'LAST-ROOMS',
        name: 'The last rooms',
        destination: 'IT-ROME',
        country: 'IT',
        currency: 'EUR',
        minPax: 1,
        maxPax: 4,
        categories: [{ code: 'DBL', name: 'Double', maxOccupancy: 2, standardOccupancy: 2 }],
        rates: [{ category: 'DBL', ratePlan: 'BAR', validFrom: '2027-06-01', validTo: '2027-06-30', basis: 'PER_ROOM_PER_NIGHT', amount: '100.00' }],
      })
      .expect(201);
    await request(server)
      .post('/catalog/contracts')
      .send({
        code: 'RACE-JUN',
        supplierCode: 'RACE',
        productCode: 'LAST-ROOMS',
        category: 'DBL',
        validFrom: '2027-06-10',
        validTo: '2027-06-11',
        quantity: ALLOTMENT,
        contractedPrice: '100.00',
        currency: 'EUR',
        basis: 'PER_ROOM_PER_NIGHT',
        release: { kind: 'NONE' },
        minGroupSize: 1,
        maxGroupSize: 10,
      })
      .expect(201);
    await request(server).post('/catalog/sales').send({ reference: 'RACE-PRESOLD', supplierCode: 'RACE', productCode: 'LAST-ROOMS', category: 'DBL', from: '2027-06-10', nights: 2, quantity: PRESOLD }).expect(201);
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await db?.close();
  });

  it(`${ATTEMPTS} parallel holds for the last ${LAST_ROOMS} rooms: exactly ${LAST_ROOMS} win, the rest are sold out, counters consistent`, async () => {
    const hold = (i: number) =>
      request(server).post('/catalog/holds').send({ reference: `RACE-${i}`, supplierCode: 'RACE', productCode: 'LAST-ROOMS', category: 'DBL', from: '2027-06-10', nights: 2, quantity: 1, ttlSeconds: 900 });
    const responses = await Promise.all(Array.from({ length: ATTEMPTS }, (_, i) => hold(i)));

    const byStatus = new Map<number, number>();
    for (const r of responses) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    expect(Object.fromEntries(byStatus)).toEqual({ 201: LAST_ROOMS, 409: ATTEMPTS - LAST_ROOMS });
    for (const r of responses.filter((x) => x.status === 409)) {
      expect(r.body).toMatchObject({ type: '/problems/sold-out', title: 'Sold out', status: 409 });
      expect(r.body.detail).toMatch(/^sold out: .*2027-06-1[01]/);
    }
    const winners = responses.filter((r) => r.status === 201).map((r) => r.body.reference as string);

    const rows = await db.query<{ stay_date: string; allotment: number; held: number; sold: number; released: number }>(
      `SELECT to_char(i.stay_date, 'YYYY-MM-DD') AS stay_date, i.allotment, i.held, i.sold, i.released
         FROM inventory i JOIN products p ON p.id = i.product_id WHERE p.code = 'LAST-ROOMS' ORDER BY i.stay_date`,
      [],
    );
    expect(rows).toEqual([
      { stay_date: '2027-06-10', allotment: ALLOTMENT, held: LAST_ROOMS, sold: PRESOLD, released: 0 },
      { stay_date: '2027-06-11', allotment: ALLOTMENT, held: LAST_ROOMS, sold: PRESOLD, released: 0 },
    ]);
    // The holds table agrees with the counters: the winners' holds and the earlier sale, nothing else.
    const holds = await db.query<{ reference: string; status: string; quantity: number }>(
      `SELECT h.reference, h.status, h.quantity FROM inventory_holds h JOIN products p ON p.id = h.product_id WHERE p.code = 'LAST-ROOMS' ORDER BY h.reference`,
      [],
    );
    expect(holds.filter((h) => h.status === 'HELD').map((h) => h.reference).sort()).toEqual([...winners].sort());
    expect(holds.filter((h) => h.status === 'SOLD')).toEqual([{ reference: 'RACE-PRESOLD', status: 'SOLD', quantity: PRESOLD }]);
    expect(holds).toHaveLength(LAST_ROOMS + 1);

    // A repeat of a winning request is the same hold (200); a losing one is still sold out.
    await hold(Number(winners[0]!.slice('RACE-'.length))).expect(200);
    const loser = responses.findIndex((r) => r.status === 409);
    await hold(loser).expect(409);
    // One room back: exactly one more hold succeeds.
    await request(server).delete(`/catalog/holds/${winners[0]}`).expect(200);
    await hold(loser).expect(201);
    await hold(ATTEMPTS + 1).expect(409);
  });
});
