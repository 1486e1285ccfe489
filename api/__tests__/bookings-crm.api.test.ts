import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import request from 'supertest';
import { PrismaBookingStore } from '../../activities/booking-store.prisma';
import { PrismaCustomerStore } from '../../activities/customers.prisma';
import { createApp } from '../../api/app';
import { referenceForKey } from '../../api/routes/bookings.routes';
import { bookingWorkflowId } from '../../domain/booking/draft';
import type { BookingRequest } from '../../domain/booking/model';
import type { CustomerWrite } from '../../domain/customers/model';
import type { Database } from '../../infra/database';
import type { DevServer } from '../../infra/dev-server';
import { financeDeps } from '../../infra/finance';
import { TemporalClientProvider } from '../../infra/temporal';
import { openTestPglite } from '../../test/support/databases';
import { connectClient, prepareReadyFinance, silentLogger, startTestDevServer, testAccess, withApiKey } from '../../test/support/api-harness';
import { AdvisorId } from '../../workflows/booking/search-attributes';
import { BookingStillHoldingResponse } from '../schemas/booking.schema';

/**
 * Advisor routing of advisor-made bookings (issue 8): `POST /bookings` without an advisor, for a
 * CRM customer, books for the customer's assigned advisor, and an archived customer booking again
 * becomes active. No worker runs: the API answers 202 once the workflow is started, and what it
 * started with (the request in the history, the AdvisorId search attribute) is checked.
 */

const Y = new Date().getUTCFullYear() + 1;
const DEP = `${Y}-05-14`;
const RET = `${Y}-05-21`;

function body(customerId: string, overrides: Record<string, unknown> = {}) {
  return {
    customerId,
    currency: 'EUR',
    departureDate: DEP,
    returnDate: RET,
    components: [{ id: 'hotel', kind: 'HOTEL', supplierCode: 'HTL-LIS', productCode: 'LIS-ALFAMA', category: 'DBL', ratePlan: 'BAR', startDate: DEP, nights: 7, units: [{ adults: 2, childAges: [] }] }],
    ...overrides,
  };
}

function customer(id: string, over: Partial<CustomerWrite>): CustomerWrite {
  return { id, status: 'ACTIVE', lastName: 'Nobody', preferences: { dietary: [], preferredAirlines: [], anniversaries: [] }, contactPreferences: { doNotContact: false }, emails: [], phones: [], addresses: [], paymentMethods: [], legacyIds: [], ...over };
}

describe('POST /bookings routes CRM customers to their advisor', () => {
  let server: DevServer;
  let db: Database;
  let app: Express;
  let temporal: TemporalClientProvider;
  let client: Client;

  beforeAll(async () => {
    [server, db] = await Promise.all([startTestDevServer(), openTestPglite()]);
    await prepareReadyFinance(db);
    const store = new PrismaCustomerStore(db.prisma);
    await store.upsertAdvisors([{ advisorId: 'A1', name: 'Alice Advisor', active: true }]);
    await store.writeCustomers(
      [
        customer('c-ada', { firstName: 'Ada', lastName: 'Lovelace', advisorId: 'A1' }),
        customer('c-old', { lastName: 'Old', advisorId: 'A1', status: 'ARCHIVED', archivedReason: 'no booking for more than 7 years' }),
        customer('c-free', { lastName: 'Free' }),
      ],
      { reason: 'test', at: new Date('2026-11-29T09:00:00Z') },
    );
    temporal = new TemporalClientProvider({ address: server.address, namespace: 'default' });
    app = withApiKey(createApp({ db, bookings: new PrismaBookingStore(db.prisma), temporal, logger: silentLogger, operatorTimeZone: 'UTC', recordWaitMs: 1_000, finance: financeDeps(db.prisma), access: testAccess(db) }), db);
    client = await connectClient(server.address);
  });
  afterAll(async () => {
    await temporal?.close();
    await client?.connection.close();
    await db?.close();
    await server?.stop();
  });

  /** Books with an Idempotency-Key (so the reference is known) and returns what the workflow was started with. */
  async function book(key: string, payload: Record<string, unknown>) {
    BookingStillHoldingResponse.parse((await request(app).post('/bookings').set('Idempotency-Key', key).send(payload).expect(202)).body);
    const handle = client.workflow.getHandle(bookingWorkflowId(referenceForKey(key)));
    const history = await handle.fetchHistory();
    const started = JSON.parse(Buffer.from(history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!.data!).toString()) as BookingRequest;
    const attribute = (await handle.describe()).typedSearchAttributes.get(AdvisorId);
    return { advisorId: started.advisorId, attribute };
  }

  const statusOf = (id: string) => db.prisma.customer.findUniqueOrThrow({ where: { id }, select: { status: true, archivedReason: true } });

  it('a booking without an advisor takes the CRM customer’s assigned advisor', async () => {
    expect(await book('crm-ada-1', body('c-ada'))).toEqual({ advisorId: 'A1', attribute: 'A1' });
  });

  it('an advisor given in the body is kept', async () => {
    expect(await book('crm-ada-2', body('c-ada', { advisorId: 'ADV-7' }))).toEqual({ advisorId: 'ADV-7', attribute: 'ADV-7' });
  });

  it('a customer the CRM does not know, or one without an advisor, books as before (no advisor)', async () => {
    expect(await book('crm-ext-1', body('EXT-1001'))).toEqual({ advisorId: undefined, attribute: undefined });
    expect(await book('crm-free-1', body('c-free'))).toEqual({ advisorId: undefined, attribute: undefined });
  });

  it('an archived customer booking again becomes active (a returning customer)', async () => {
    expect(await statusOf('c-old')).toEqual({ status: 'ARCHIVED', archivedReason: 'no booking for more than 7 years' });
    expect(await book('crm-old-1', body('c-old'))).toEqual({ advisorId: 'A1', attribute: 'A1' });
    expect(await statusOf('c-old')).toEqual({ status: 'ACTIVE', archivedReason: null });
  });

  it('a refused request reactivates nobody', async () => {
    await db.prisma.customer.update({ where: { id: 'c-old' }, data: { status: 'ARCHIVED', archivedReason: 'again' } });
    await request(app).post('/bookings').send(body('c-old', { currency: 'EUX' })).expect(422);
    expect(await statusOf('c-old')).toEqual({ status: 'ARCHIVED', archivedReason: 'again' });
  });
});
