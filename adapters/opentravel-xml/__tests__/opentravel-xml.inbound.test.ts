import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InboundReservation, ReservationNotification } from '../../../domain/channels/model';
import {
  buildReservationNotification,
  buildReservationNotificationResponse,
  parseReservationNotification,
  parseReservationNotificationResponse,
  readInstant,
  reservationAction,
} from '../inbound';

const fixture = (name: string) => readFileSync(join(__dirname, '..', '__fixtures__', name), 'utf8');

const reservation: InboundReservation = {
  reservationId: 'BK-1001',
  version: Date.parse('2027-03-02T14:03:09Z'),
  action: 'new',
  statusWord: 'Book',
  originatingChannel: 'AIRBNB',
  hotelCode: 'LISALFAMA',
  roomStays: [
    { roomType: 'DBL-DLX', ratePlan: 'BAR', arrival: '2027-03-26', departure: '2027-03-29', quantity: 1, adults: 2, children: 1, total: { amount: '643.50', currency: 'EUR' } },
    { roomType: 'TWN', ratePlan: 'NRF', arrival: '2027-03-26', departure: '2027-03-27', quantity: 2, adults: 3, children: 0, total: { amount: '200.00', currency: 'EUR' } },
  ],
  guest: { givenName: 'Zoë', surname: "O'Brien & Sons", email: 'zoe@example.com', phone: '+44 20 7946 0000' },
  total: { amount: '843.50', currency: 'EUR' },
  createdAt: Date.parse('2027-03-01T10:00:00Z'),
  lastModifiedAt: Date.parse('2027-03-02T14:03:09Z'),
};
const notification: ReservationNotification = { echoToken: 'echo-1', timeStamp: Date.parse('2027-03-02T14:03:10Z'), reservations: [reservation] };

/** The problems of a notification that must be refused. */
function problemsOf(xml: string) {
  const r = parseReservationNotification(xml);
  if (r.ok) throw new Error('expected problems');
  return r;
}

describe('OTA_HotelResNotifRQ inbound', () => {
  it('round trip: build → parse gives the same notification, bare and in SOAP 1.1/1.2 with a UsernameToken', () => {
    expect(parseReservationNotification(buildReservationNotification(notification))).toEqual({ ok: true, notification, wsse: null });
    const wsse = { username: 'hub', password: 'p<a>ss&word' };
    for (const soap of ['1.1', '1.2'] as const) {
      expect(parseReservationNotification(buildReservationNotification(notification, { soap, wsse }))).toEqual({ ok: true, notification, wsse });
    }
    const noContact = { ...reservation, guest: { ...reservation.guest, email: null, phone: null }, action: 'cancelled' as const, statusWord: 'Cancelled' };
    expect(parseReservationNotification(buildReservationNotification({ ...notification, echoToken: null, reservations: [noContact] }))).toEqual({
      ok: true,
      notification: { ...notification, echoToken: null, reservations: [noContact] },
      wsse: null,
    });
  });

  it('fixture commit: two room stays, implied decimals, local time read as UTC, channel from CompanyName@Code', () => {
    const r = parseReservationNotification(fixture('OTA_HotelResNotifRQ.commit.xml'));
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.wsse).toBeNull();
    expect(r.notification.echoToken).toBe('bdc-5f1e2a9c');
    expect(r.notification.timeStamp).toBe(Date.parse('2027-03-02T14:03:11Z'));
    expect(r.notification.reservations).toEqual([
      {
        reservationId: '4471928365',
        version: Date.parse('2027-03-02T14:03:09Z'),
        action: 'new',
        statusWord: 'Commit',
        originatingChannel: 'BOOKING',
        hotelCode: 'LISALFAMA',
        roomStays: [
          { roomType: 'DBL-DLX', ratePlan: 'BAR', arrival: '2027-03-26', departure: '2027-03-29', quantity: 1, adults: 2, children: 1, total: { amount: '643.50', currency: 'EUR' } },
          { roomType: 'TWN-STD', ratePlan: 'NRF', arrival: '2027-03-26', departure: '2027-03-28', quantity: 2, adults: 4, children: 0, total: { amount: '529.20', currency: 'EUR' } },
        ],
        guest: { givenName: 'Inês', surname: 'Carvalho-Müller', email: 'ines.carvalho@example.pt', phone: '+351 912 345 678' },
        total: { amount: '1172.70', currency: 'EUR' },
        createdAt: Date.parse('2027-03-02T14:03:09Z'),
        lastModifiedAt: Date.parse('2027-03-02T14:03:09Z'),
      },
    ]);
  });

  it('fixture modify in SOAP 1.2: WS-Security credentials returned, version = LastModifyDateTime with its offset, id from HotelReservationID type 14', () => {
    const r = parseReservationNotification(fixture('OTA_HotelResNotifRQ.modify.soap12.xml'));
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.wsse).toEqual({ username: 'siteminder-lis', password: 'Tr0ub4dor&3' });
    expect(r.notification.reservations[0]).toMatchObject({
      reservationId: 'EXP-99120034',
      action: 'modified',
      statusWord: 'Modified',
      originatingChannel: 'EXPEDIA',
      version: Date.parse('2027-03-05T08:00:00Z'),
      createdAt: Date.parse('2027-03-01T22:10:00Z'),
      guest: { givenName: 'John', surname: "O'Neill", email: null, phone: null },
      total: { amount: '429.00', currency: 'EUR' },
    });
  });

  it('every ResStatus word in use, case-insensitively', () => {
    for (const w of ['Commit', 'Book', 'Reserved', 'Confirmed', 'Initiate', 'new', 'BOOK']) expect(reservationAction(w)).toBe('new');
    for (const w of ['Modify', 'modified']) expect(reservationAction(w)).toBe('modified');
    for (const w of ['Cancel', 'Cancelled', 'canceled']) expect(reservationAction(w)).toBe('cancelled');
    expect(reservationAction('Pending')).toBeUndefined();
    expect(reservationAction('toString')).toBeUndefined();
  });

  it('timestamps: no offset = UTC, offsets honoured, nonsense refused', () => {
    expect(readInstant('2027-03-02T14:03:09')).toBe(Date.parse('2027-03-02T14:03:09Z'));
    expect(readInstant('2027-03-02T14:03:09.5+0130')).toBe(Date.parse('2027-03-02T12:33:09.500Z'));
    expect(readInstant('2027-02-30T00:00:00Z')).toBeUndefined();
    expect(readInstant('yesterday')).toBeUndefined();
  });

  it('malformed XML, DOCTYPE, the wrong message → 450 type 12, no echo token when unreadable', () => {
    expect(problemsOf('<OTA_HotelResNotifRQ EchoToken="e"><HotelReservations></OTA_HotelResNotifRQ>')).toMatchObject({ echoToken: null, problems: [{ type: '12', code: '450', message: expect.stringMatching(/not well-formed XML at line 1/) }] });
    expect(problemsOf('<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>').problems[0]!.message).toMatch(/DOCTYPE/);
    expect(problemsOf('').problems[0]!.code).toBe('450');
    expect(problemsOf('<OTA_HotelAvailNotifRQ EchoToken="e2"/>')).toEqual({ ok: false, echoToken: 'e2', problems: [{ type: '12', code: '450', message: '/OTA_HotelAvailNotifRQ: expected OTA_HotelResNotifRQ, got OTA_HotelAvailNotifRQ' }] });
  });

  const good = buildReservationNotification(notification);

  it('missing fields → 321 type 10 naming each path; all problems reported together', () => {
    const xml = good
      .replace(' ResStatus="Book"', '')
      .replace(/<UniqueID[^>]*\/>/, '')
      .replace(/<HotelReservationIDs>.*?<\/HotelReservationIDs>/, '')
      .replace(/ CreateDateTime="[^"]*" LastModifyDateTime="[^"]*"/, '')
      .replace(/<Surname>[^<]*<\/Surname>/, '')
      .replace('<RatePlans><RatePlan RatePlanCode="BAR"/></RatePlans>', '');
    const { echoToken, problems } = problemsOf(xml);
    expect(echoToken).toBe('echo-1');
    expect(problems.every((p) => p.code === '321' && p.type === '10')).toBe(true);
    const base = '/OTA_HotelResNotifRQ/HotelReservations/HotelReservation[0]';
    expect(problems.map((p) => p.message.split(':')[0])).toEqual([
      `${base}/@ResStatus`,
      `${base}/@LastModifyDateTime`,
      `${base}/UniqueID/@ID`,
      `${base}/RoomStays/RoomStay[0]/RatePlans/RatePlan/@RatePlanCode`,
      `${base}/ResGuests/ResGuest/Profiles/ProfileInfo/Profile/Customer/PersonName/Surname`,
    ]);
    const noChannel = problemsOf(good.replace(/<POS>.*?<\/POS>/, '')).problems;
    expect(noChannel).toEqual([{ type: '10', code: '321', message: expect.stringMatching(/^\/OTA_HotelResNotifRQ\/POS\/Source\/BookingChannel\/CompanyName: the originating channel/) }]);
    expect(problemsOf(good.replace(/<HotelReservations>.*<\/HotelReservations>/, '')).problems[0]!.code).toBe('321');
  });

  it('reversed or invalid dates → 15 type 3 (End is the exclusive check-out)', () => {
    const reversed = problemsOf(good.replace('Start="2027-03-26" End="2027-03-29"', 'Start="2027-03-26" End="2027-03-25"')).problems;
    expect(reversed).toEqual([{ type: '3', code: '15', message: expect.stringMatching(/RoomStay\[0\]\/TimeSpan\/@End: check-out 2027-03-25 is not after arrival 2027-03-26/) }]);
    expect(problemsOf(good.replace('End="2027-03-29"', 'End="2027-03-26"')).problems[0]!.code).toBe('15');
    expect(problemsOf(good.replace('Start="2027-03-26" End="2027-03-29"', 'Start="2027-02-30" End="2027-03-29"')).problems).toEqual([{ type: '3', code: '15', message: expect.stringMatching(/TimeSpan\/@Start: "2027-02-30" is not a date/) }]);
    expect(problemsOf(good.replace(/LastModifyDateTime="[^"]*"/, 'LastModifyDateTime="soon"')).problems[0]).toMatchObject({ code: '15', message: expect.stringMatching(/@LastModifyDateTime: "soon"/) });
  });

  it('amounts: without currency → 61, unknown currency → 61, not a decimal → 320, mixed currencies → 61', () => {
    expect(problemsOf(good.replace('AmountAfterTax="643.50" CurrencyCode="EUR"', 'AmountAfterTax="643.50"')).problems).toEqual([{ type: '3', code: '61', message: expect.stringMatching(/RoomStay\[0\]\/Total\/@CurrencyCode: amount 643.50 has no CurrencyCode/) }]);
    expect(problemsOf(good.replace('AmountAfterTax="643.50" CurrencyCode="EUR"', 'AmountAfterTax="643.50" CurrencyCode="EURO"')).problems[0]!.code).toBe('61');
    expect(problemsOf(good.replace('AmountAfterTax="643.50"', 'AmountAfterTax="6,43"')).problems[0]).toMatchObject({ code: '320' });
    expect(problemsOf(good.replace('AmountAfterTax="643.50" CurrencyCode="EUR"', 'AmountAfterTax="643.505" CurrencyCode="EUR"')).problems[0]!.message).toMatch(/EUR has 2 decimal places/);
    expect(problemsOf(good.replace('AmountAfterTax="200.00" CurrencyCode="EUR"', 'AmountAfterTax="200.00" CurrencyCode="GBP"')).problems[0]!.message).toMatch(/different currencies \(EUR, GBP\)/);
  });

  it('unknown status word → 450 naming it; different hotels in one reservation → 392', () => {
    expect(problemsOf(good.replace('ResStatus="Book"', 'ResStatus="Tentative"')).problems).toEqual([{ type: '12', code: '450', message: expect.stringMatching(/@ResStatus: unknown ResStatus "Tentative"/) }]);
    expect(problemsOf(good.replace(/HotelCode="LISALFAMA"\/><\/RoomStay><\/RoomStays>/, 'HotelCode="PORTO"/></RoomStay></RoomStays>')).problems[0]).toMatchObject({ code: '392' });
  });

  it('never throws, whatever the input', () => {
    for (const junk of ['<a', 'plain text', '<soap:Envelope xmlns:soap="x"><soap:Body/></soap:Envelope>', '<OTA_HotelResNotifRQ><HotelReservations><HotelReservation><RoomStays><RoomStay/></RoomStays></HotelReservation></HotelReservations></OTA_HotelResNotifRQ>']) {
      expect(parseReservationNotification(junk).ok).toBe(false);
    }
  });
});

describe('OTA_HotelResNotifRS', () => {
  it('Success echoes the token and returns both ids (14 = channel, 10 = Itinera); round trip through the reader', () => {
    const xml = buildReservationNotificationResponse({ echoToken: 'echo-1', timeStamp: 0, results: [{ reservationId: 'BK-1001', itineraReference: 'IT-9' }], warnings: [{ type: '3', code: '450', message: 'ignored note' }] });
    expect(xml).toContain('EchoToken="echo-1"');
    expect(parseReservationNotificationResponse(xml)).toEqual({ ok: true, echoToken: 'echo-1', results: [{ reservationId: 'BK-1001', itineraReference: 'IT-9' }], warnings: [{ type: '3', code: '450', message: 'ignored note' }] });
    expect(parseReservationNotificationResponse(fixture('OTA_HotelResNotifRS.xml'))).toMatchObject({ ok: true, results: [{ reservationId: '4471928365', itineraReference: 'IT-7Q4M1X' }] });
  });

  it('Errors carry each problem; null echo token is omitted', () => {
    const problems = problemsOf(buildReservationNotification(notification).replace('End="2027-03-29"', 'End="2027-03-25"')).problems;
    const xml = buildReservationNotificationResponse({ echoToken: null, timeStamp: 0, results: [], problems });
    expect(xml).not.toContain('EchoToken');
    expect(xml).not.toContain('<Success');
    expect(parseReservationNotificationResponse(xml)).toEqual({ ok: false, echoToken: null, problems });
    expect(parseReservationNotificationResponse(fixture('OTA_HotelResNotifRS.errors.xml'))).toMatchObject({ ok: false, echoToken: 'bdc-5f1e2a9d', problems: [{ type: '3', code: '15' }] });
  });
});
