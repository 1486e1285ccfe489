import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { AvailabilityPush, CountPush, RatePush, StayRestrictions } from '../../../domain/channels/model';
import { ChannelManagerError } from '../../../domain/channels/model';
import { availNotifRQ, cancelResNotifRQ, invCountNotifRQ, invCountRQ, rateAmountNotifRQ } from '../builder';
import { buildChannelResponse, decodeChannelRequest, responseProblems } from '../channel-side';
import { mapInvCountResponse, mapPushResponse } from '../mapper';
import { validateAvailabilityPush, validateCountPush, validateRatePush } from '../validate';
import { parseOta, serialise, type WsseCredentials } from '../xml';

const fixture = (name: string) => readFileSync(join(__dirname, '..', '__fixtures__', name), 'utf8');
const NOW = Date.parse('2027-03-01T09:15:00Z');
const wsse: WsseCredentials = { username: 'itinera-lisbon', password: 's3cr3t&pepper' };

/** Serialise one of our messages as client.ts does (bare, or SOAP 1.1 with a UsernameToken). */
const toXml = (m: { rootName: string; root: Record<string, unknown> }, soap = false) =>
  soap ? serialise(m.rootName, m.root, { soap: '1.1', wsse }) : serialise(m.rootName, m.root);

const open: StayRestrictions = { stopSell: false, closedToArrival: false, closedToDeparture: false, minStay: null, maxStay: null };

describe('OpenTravel XML: outbound messages round trip (build → decode → same domain values)', () => {
  it('OTA_HotelAvailNotifRQ: stop-sell, CTA/CTD and lengths of stay, with and without a rate plan', () => {
    const push: AvailabilityPush = {
      hotelCode: 'LISALFAMA',
      statuses: [
        { roomType: 'DBL-DLX', ratePlan: null, start: '2027-03-26', end: '2027-03-28', restrictions: { ...open, stopSell: true, minStay: 2 } },
        { roomType: 'TWN-STD', ratePlan: 'NRF', start: '2027-04-03', end: '2027-04-03', restrictions: { ...open, closedToArrival: true, closedToDeparture: true, minStay: 1, maxStay: 7 } },
      ],
    };
    for (const soap of [false, true]) {
      const decoded = decodeChannelRequest(toXml(availNotifRQ(push, 'tok-1', NOW), soap));
      expect(decoded.request).toEqual({ message: 'OTA_HotelAvailNotifRQ', echoToken: 'tok-1', push });
      expect(decoded.wsse).toEqual(soap ? wsse : null);
      expect(decoded.soap).toBe(soap ? '1.1' : null);
    }
  });

  it('OTA_HotelInvCountNotifRQ: CountType 2 counts per room type and inclusive range', () => {
    const push: CountPush = { hotelCode: 'H&1', counts: [{ roomType: 'DBL<DLX>', start: '2027-03-26', end: '2027-03-28', count: 0 }, { roomType: 'TWN', start: '2027-03-01', end: '2027-12-31', count: 11 }] };
    const xml = toXml(invCountNotifRQ(push, 'tok-2', NOW));
    expect(xml).toContain('<InvCount CountType="2" Count="0"/>');
    expect(xml).toContain('InvTypeCode="DBL&lt;DLX&gt;"');
    expect(decodeChannelRequest(xml).request).toEqual({ message: 'OTA_HotelInvCountNotifRQ', echoToken: 'tok-2', push });
  });

  it('OTA_HotelRateAmountNotifRQ: occupancy-based amounts stay exact decimal strings', () => {
    const push: RatePush = {
      hotelCode: 'LISALFAMA',
      rates: [
        { roomType: 'DBL-DLX', ratePlan: 'BAR', start: '2027-03-26', end: '2027-03-28', currency: 'EUR', amounts: [{ guests: 1, amount: '189.00' }, { guests: 2, amount: '214.5' }] },
        { roomType: 'DBL-DLX', ratePlan: 'BAR', start: '2027-03-26', end: '2027-03-28', currency: 'JPY', amounts: [{ guests: 2, amount: '32000' }] },
        { roomType: 'STE', ratePlan: 'BB', start: '2027-03-26', end: '2027-03-26', currency: 'KWD', amounts: [{ guests: 3, amount: '99999999.125' }] },
      ],
    };
    expect(decodeChannelRequest(toXml(rateAmountNotifRQ(push, 'tok-3', NOW), true)).request).toEqual({ message: 'OTA_HotelRateAmountNotifRQ', echoToken: 'tok-3', push });
  });

  it('OTA_HotelInvCountRQ → RS: the channel answers per night, we read it back', () => {
    const decoded = decodeChannelRequest(toXml(invCountRQ('LISALFAMA', '2027-03-26', '2027-03-28', 'tok-4', NOW)));
    expect(decoded.request).toEqual({ message: 'OTA_HotelInvCountRQ', echoToken: 'tok-4', hotelCode: 'LISALFAMA', start: '2027-03-26', end: '2027-03-28' });
    const snapshot = { hotelCode: 'LISALFAMA', counts: [{ roomType: 'DBL', date: '2027-03-26', count: 0 }, { roomType: 'DBL', date: '2027-03-27', count: 3 }] };
    const rs = buildChannelResponse('OTA_HotelInvCountRQ', { echoToken: 'tok-4', timeStamp: NOW, snapshot });
    expect(mapInvCountResponse(parseOta(rs), 'tok-4', 'LISALFAMA', '2027-03-26', '2027-03-28')).toEqual(snapshot);
  });

  it('OTA_HotelResNotifRQ (cancel back) → RS Success', () => {
    const decoded = decodeChannelRequest(toXml(cancelResNotifRQ('LISALFAMA', '4471928365', 'sold elsewhere', 'tok-5', NOW), true));
    expect(decoded.request).toEqual({ message: 'OTA_HotelResNotifRQ', echoToken: 'tok-5', hotelCode: 'LISALFAMA', reservationId: '4471928365', status: 'Cancel', reason: 'sold elsewhere' });
    const rs = buildChannelResponse('OTA_HotelResNotifRQ', { echoToken: 'tok-5', timeStamp: NOW, soap: '1.1' });
    expect(mapPushResponse(parseOta(rs), 'OTA_HotelResNotifRS', 'tok-5')).toEqual({ echoToken: 'tok-5', warnings: [] });
  });

  it('RS with Errors → rejected with every Error; with Warnings → PushAck warnings', () => {
    const problems = [{ type: '3', code: '402', message: 'Invalid room type' }, { type: '3', code: '249', message: 'Invalid rate code' }];
    const bad = buildChannelResponse('OTA_HotelRateAmountNotifRQ', { echoToken: 't', timeStamp: NOW, problems });
    expect(responseProblems(bad)).toEqual(problems);
    const warned = buildChannelResponse('OTA_HotelAvailNotifRQ', { echoToken: 't', timeStamp: NOW, warnings: [{ code: '245', message: 'ignored' }] });
    expect(mapPushResponse(parseOta(warned), 'OTA_HotelAvailNotifRS', 't')).toEqual({ echoToken: 't', warnings: [{ code: '245', message: 'ignored' }] });
  });

  const date = fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  const range = fc.tuple(date, date).map(([a, b]) => (a <= b ? { start: a, end: b } : { start: b, end: a }));
  const code = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9&<>"' _-]{0,10}[A-Za-z0-9]$/);
  const stay = fc.option(fc.integer({ min: 1, max: 30 }), { nil: null });

  it('property: any valid push survives build → decode unchanged', () => {
    const restrictions = fc
      .record({ stopSell: fc.boolean(), closedToArrival: fc.boolean(), closedToDeparture: fc.boolean(), minStay: stay, maxStay: stay })
      .map((r) => (r.minStay !== null && r.maxStay !== null && r.minStay > r.maxStay ? { ...r, maxStay: r.minStay } : r));
    const availability = fc.record({
      hotelCode: code,
      statuses: fc.array(fc.record({ roomType: code, ratePlan: fc.option(code, { nil: null }), restrictions }).chain((s) => range.map((r) => ({ ...s, ...r }))), { minLength: 1, maxLength: 4 }),
    });
    const counts = fc.record({ hotelCode: code, counts: fc.array(fc.tuple(code, range, fc.nat(500)).map(([roomType, r, count]) => ({ roomType, ...r, count })), { minLength: 1, maxLength: 4 }) });
    const currency = fc.constantFrom(['EUR', 2] as const, ['JPY', 0] as const, ['KWD', 3] as const);
    const rates = fc.record({
      hotelCode: code,
      rates: fc.array(
        fc.tuple(code, code, range, currency, fc.uniqueArray(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 4 }), fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { minLength: 4, maxLength: 4 })).map(
          ([roomType, ratePlan, r, [cur, exp], guests, minor]) => ({
            roomType,
            ratePlan,
            ...r,
            currency: cur,
            amounts: [...guests].sort((a, b) => a - b).map((g, i) => {
              const digits = minor[i]!.toString().padStart(exp + 1, '0');
              return { guests: g, amount: exp === 0 ? digits : `${digits.slice(0, -exp)}.${digits.slice(-exp)}` };
            }),
          }),
        ),
        { minLength: 1, maxLength: 3 },
      ),
    });
    fc.assert(
      fc.property(availability, counts, rates, fc.boolean(), (a, c, r, soap) => {
        validateAvailabilityPush(a);
        validateCountPush(c);
        validateRatePush(r);
        // Same key twice would merge on decode: keep the first of each (roomType, ratePlan, range).
        const seen = new Set<string>();
        const statuses = a.statuses.filter((s) => {
          const k = `${s.roomType}|${s.ratePlan}|${s.start}|${s.end}`;
          return seen.has(k) ? false : (seen.add(k), true);
        });
        const av = { ...a, statuses };
        expect(decodeChannelRequest(toXml(availNotifRQ(av, 'e', NOW), soap)).request).toEqual({ message: 'OTA_HotelAvailNotifRQ', echoToken: 'e', push: av });
        expect(decodeChannelRequest(toXml(invCountNotifRQ(c, 'e', NOW), soap)).request).toEqual({ message: 'OTA_HotelInvCountNotifRQ', echoToken: 'e', push: c });
        expect(decodeChannelRequest(toXml(rateAmountNotifRQ(r, 'e', NOW), soap)).request).toEqual({ message: 'OTA_HotelRateAmountNotifRQ', echoToken: 'e', push: r });
      }),
      { numRuns: 60 },
    );
  });
});

describe('OpenTravel XML: committed fixtures', () => {
  it('OTA_HotelAvailNotifRQ.xml decodes to full restrictions per key', () => {
    const { request } = decodeChannelRequest(fixture('OTA_HotelAvailNotifRQ.xml'));
    expect(request).toMatchObject({
      message: 'OTA_HotelAvailNotifRQ',
      echoToken: 'sync-HTL-LIS-001:avail:42',
      push: {
        hotelCode: 'LISALFAMA',
        statuses: [
          { roomType: 'DBL-DLX', ratePlan: null, start: '2027-03-26', end: '2027-03-28', restrictions: { stopSell: true, closedToArrival: false, closedToDeparture: false, minStay: 2, maxStay: null } },
          { roomType: 'TWN-STD', ratePlan: 'NRF', start: '2027-04-03', end: '2027-04-03', restrictions: { stopSell: false, closedToArrival: true, closedToDeparture: false, minStay: 1, maxStay: 7 } },
        ],
      },
    });
  });

  it('OTA_HotelInvCountNotifRQ.soap.xml: the UsernameToken and the counts', () => {
    const d = decodeChannelRequest(fixture('OTA_HotelInvCountNotifRQ.soap.xml'));
    expect(d.wsse).toEqual(wsse);
    expect(d.request).toMatchObject({ push: { hotelCode: 'LISALFAMA', counts: [{ roomType: 'DBL-DLX', count: 0 }, { roomType: 'DBL-DLX', start: '2027-03-29', end: '2027-04-04', count: 4 }, { roomType: 'TWN-STD', count: 11 }] } });
  });

  it('OTA_HotelRateAmountNotifRQ.xml, OTA_HotelInvCountRQ.xml and OTA_HotelResNotifRQ.cancel.xml decode', () => {
    expect(decodeChannelRequest(fixture('OTA_HotelRateAmountNotifRQ.xml')).request).toMatchObject({
      push: { rates: [{ roomType: 'DBL-DLX', ratePlan: 'BAR', currency: 'EUR', amounts: [{ guests: 1, amount: '189.00' }, { guests: 2, amount: '214.50' }] }, { ratePlan: 'NRF', amounts: [{ guests: 2, amount: '132.30' }] }] },
    });
    expect(decodeChannelRequest(fixture('OTA_HotelInvCountRQ.xml')).request).toEqual({ message: 'OTA_HotelInvCountRQ', echoToken: 'reconcile-LISALFAMA:2027-03-01', hotelCode: 'LISALFAMA', start: '2027-03-26', end: '2027-03-29' });
    expect(decodeChannelRequest(fixture('OTA_HotelResNotifRQ.cancel.xml')).request).toMatchObject({ reservationId: '4471928365', status: 'Cancel', reason: 'Last room sold elsewhere first (overbooking refused)' });
  });

  it('response fixtures map to acks, errors and a per-night snapshot clipped to the asked range', () => {
    expect(mapPushResponse(parseOta(fixture('OTA_HotelAvailNotifRS.xml')), 'OTA_HotelAvailNotifRS', 'sync-HTL-LIS-001:avail:42')).toEqual({
      echoToken: 'sync-HTL-LIS-001:avail:42',
      warnings: [{ code: '245', message: 'Max LOS 0 ignored: the channel has no maximum stay' }],
    });
    expect(mapPushResponse(parseOta(fixture('OTA_HotelInvCountNotifRS.soap.xml')), 'OTA_HotelInvCountNotifRS', 'sync-HTL-LIS-001:counts:43').warnings).toEqual([]);
    expect(mapPushResponse(parseOta(fixture('OTA_HotelResNotifRS.xml')), 'OTA_HotelResNotifRS', 'bdc-5f1e2a9c').echoToken).toBe('bdc-5f1e2a9c');
    let err: unknown;
    try {
      mapPushResponse(parseOta(fixture('OTA_HotelRateAmountNotifRS.errors.xml')), 'OTA_HotelRateAmountNotifRS', 'parity-LISALFAMA-2027-03:7');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ChannelManagerError);
    expect(err).toMatchObject({ kind: 'rejected', details: { problems: [{ type: '3', code: '402', message: 'Invalid room type: TWN-STD' }, { type: '3', code: '249', message: 'Invalid rate code: NRF' }] } });
    const snapshot = mapInvCountResponse(parseOta(fixture('OTA_HotelInvCountRS.xml')), 'reconcile-LISALFAMA:2027-03-01', 'LISALFAMA', '2027-03-26', '2027-03-29');
    expect(snapshot.counts).toEqual([
      { roomType: 'DBL-DLX', date: '2027-03-26', count: 0 },
      { roomType: 'DBL-DLX', date: '2027-03-27', count: 0 },
      { roomType: 'DBL-DLX', date: '2027-03-28', count: 4 },
      { roomType: 'DBL-DLX', date: '2027-03-29', count: 4 },
      { roomType: 'TWN-STD', date: '2027-03-26', count: 11 },
    ]);
  });

  it('a response for another hotel, without Success, or with the wrong root is malformed, naming the path', () => {
    const rs = fixture('OTA_HotelInvCountRS.xml');
    expect(() => mapInvCountResponse(parseOta(rs), 'reconcile-LISALFAMA:2027-03-01', 'PORTO', '2027-03-26', '2027-03-29')).toThrow(/hotel LISALFAMA.*Inventories\[0\]\/@HotelCode/);
    expect(() => mapPushResponse(parseOta(rs.replace('<Success/>', '')), 'OTA_HotelInvCountRS', 'reconcile-LISALFAMA:2027-03-01')).toThrow(/neither Success nor Errors \(at \/OTA_HotelInvCountRS\/Success\)/);
    expect(() => mapPushResponse(parseOta(rs), 'OTA_HotelAvailNotifRS', 'x')).toThrow(/root is OTA_HotelInvCountRS, expected OTA_HotelAvailNotifRS/);
  });
});
