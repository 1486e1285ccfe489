import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { FlightSupplierError, liveDocuments, liveTickets } from '../../../domain/flights/model';
import { Money } from '../../../domain/money/money';
import { mapAirShoppingRS, mapChangeQuoteRS, mapOfferPriceRS, mapOrderRS, mapRefundQuoteRS, ticketStatus } from '../mapper';

const fixture = (name: string) => readFileSync(path.join(__dirname, '..', '__fixtures__', name), 'utf8');

function failure(fn: () => unknown): FlightSupplierError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FlightSupplierError) return err;
    throw new Error(`expected a FlightSupplierError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a FlightSupplierError, nothing was thrown');
}

describe('NDC XML fixtures → domain', () => {
  it('AirShoppingRS 21.3: offers with per-type fares, exact totals, local times through the airport zone', () => {
    const offers = mapAirShoppingRS(fixture('AirShoppingRS.21.3.xml'), '21.3', 'ndc-test');
    expect(offers).toHaveLength(2);
    const [ba, ek] = offers as [(typeof offers)[0], (typeof offers)[0]];
    expect(ba.total).toEqual({ amount: '1834.10', currency: 'GBP' });
    expect(ba.base).toEqual({ amount: '1133.00', currency: 'GBP' });
    expect(ba.taxTotal).toEqual({ amount: '701.10', currency: 'GBP' });
    expect(ba.fares.map((f) => [f.passengerType, f.count, f.fare.fareBasis, f.fare.total.amount])).toEqual([
      ['ADT', 2, 'YLOWGB', '674.70'],
      ['CHD', 1, 'YLOWGB/CH25', '484.70'],
    ]);
    expect(ba.fares[0]!.fare.taxes).toEqual([
      { code: 'GB', amount: { amount: '87.00', currency: 'GBP' } },
      { code: 'UB', amount: { amount: '55.70', currency: 'GBP' } },
      { code: 'YQ', amount: { amount: '120.00', currency: 'GBP' } },
    ]);
    // New York springs forward on 2027-03-14: 08:25 GMT → 12:20 EDT is 7 h 55 min.
    const seg = ba.slices[0]!.segments[0]!;
    expect(seg.departure).toEqual({ airport: 'LHR', timeZone: 'Europe/London', local: '2027-03-14T08:25', at: Date.UTC(2027, 2, 14, 8, 25) });
    expect(seg.arrival.at).toBe(Date.UTC(2027, 2, 14, 16, 20));
    expect(seg).toMatchObject({ carrier: 'BA', flightNumber: '117', durationMinutes: 475, cabin: 'ECONOMY', bookingClass: 'Y', stops: 0, aircraft: '777' });
    expect(ba).toMatchObject({
      id: 'OF-BA117-Y-1',
      supplier: 'ndc-test',
      validatingCarrier: 'BA',
      instantPaymentRequired: false,
      ticketingDeadline: Date.UTC(2027, 2, 4, 10),
      expiresAt: Date.UTC(2027, 2, 1, 10, 30),
      seatsLeft: [{ bookingClass: 'Y', seats: 4 }],
      conditions: { change: { allowed: true, fee: { amount: '75.00', currency: 'GBP' } }, refund: { allowed: false, fee: null } },
    });
    expect(ek.slices[0]).toMatchObject({ origin: 'LHR', destination: 'SIN', durationMinutes: 1005 });
    expect(ek.slices[0]!.segments[1]).toMatchObject({ operatingCarrier: 'QF', stops: 1 });
    expect(ek.slices[0]!.segments[1]!.aircraft).toBeUndefined();
    expect(ek).toMatchObject({ instantPaymentRequired: true, ticketingDeadline: null, conditions: { refund: { allowed: true, fee: { amount: '150.00', currency: 'GBP' } } } });
  });

  it('OfferPriceRS 19.2 with Warnings: a PRICE_CHANGED warning marks the offer re-priced with the previous total', () => {
    const priced = mapOfferPriceRS(fixture('OfferPriceRS.19.2.xml'), '19.2', 'ndc-test');
    expect(priced.priceChanged).toBe(true);
    expect(priced.previousTotal).toEqual({ amount: '141.37', currency: 'EUR' });
    expect(priced.offer.total).toEqual({ amount: '152.68', currency: 'EUR' });
    expect(priced.offer.expiresAt).toBe(Date.UTC(2027, 4, 20, 7, 15));
    expect(priced.offer.slices[0]!.segments[0]!.departure.local).toBe('2027-06-02T10:10');
    expect(priced.offer.slices[0]!.segments[0]!.durationMinutes).toBe(80);
  });

  it('OrderViewRS 21.3 with TicketDocInfo: tickets and EMDs per passenger, passengers, reference echoed', () => {
    const order = mapOrderRS(fixture('OrderViewRS.21.3.xml'), '21.3', 'ndc-test', 'OrderViewRS');
    expect(order).toMatchObject({ id: 'ORD-BA-7K2Q9X', bookingReference: '7K2Q9X', status: 'TICKETED', supplierStatus: 'TICKETED', reference: 'booking-ABC123:create-flight-order' });
    expect(order.total).toEqual({ amount: '744.37', currency: 'GBP' });
    expect(order.documents).toEqual([
      { type: 'ETICKET', number: '1252123456789', passengerId: 'p-adult-1' },
      { type: 'EMD', number: '1258123456790', passengerId: 'p-adult-1', reason: 'seat 12A', amount: { amount: '35.00', currency: 'GBP' } },
      { type: 'ETICKET', number: '1252123456791', passengerId: 'p-infant-1' },
    ]);
    expect(order.passengers[0]).toEqual({
      id: 'p-adult-1', type: 'ADT', title: 'MS', givenName: 'Ada', familyName: 'Lovelace', bornOn: '1985-12-10', gender: 'F', email: 'ada@example.org', phone: '+447700900123',
      passport: { number: '123456789', issuingCountry: 'GB', expiresOn: '2031-05-01', nationality: 'GB' },
    });
    expect(order.passengers[1]).toMatchObject({ id: 'p-infant-1', type: 'INF', infantOf: 'p-adult-1' });
    expect(order.paymentDeadline).toBeNull();
    expect(order.createdAt).toBe(Date.UTC(2027, 2, 1, 10, 5));
    // OrderItems: the fare per passenger type, with its tax breakdown (Price of ONE passenger).
    const gbp = (amount: string) => ({ amount, currency: 'GBP' });
    expect(order.fares).toEqual([
      {
        passengerType: 'ADT', count: 1,
        fare: { fareBasis: 'YLOWGB', base: gbp('412.00'), taxes: [{ code: 'GB', amount: gbp('87.00') }, { code: 'UB', amount: gbp('55.70') }, { code: 'YQ', amount: gbp('120.00') }], total: gbp('674.70') },
      },
      { passengerType: 'INF', count: 1, fare: { fareBasis: 'YLOWGB/IN90', base: gbp('41.20'), taxes: [{ code: 'UB', amount: gbp('28.47') }], total: gbp('69.67') } },
    ]);
  });

  it('OrderViewRS 21.3 document history: coupon / ticket status codes, exchanged-for link, unknown code kept live with the raw code', () => {
    const order = mapOrderRS(fixture('OrderViewRS-history.21.3.xml'), '21.3', 'ndc-test', 'OrderViewRS');
    expect(order).toMatchObject({ status: 'CHANGED', supplierStatus: 'CHANGED' });
    expect(order.documents).toEqual([
      { type: 'ETICKET', number: '1252123456789', passengerId: 'p-adult-1', status: 'EXCHANGED', supplierStatus: 'E', exchangedFor: '1252123456800' },
      { type: 'ETICKET', number: '1252123456800', passengerId: 'p-adult-1', status: 'ISSUED', supplierStatus: 'F,I' },
      { type: 'EMD', number: '1258123456790', passengerId: 'p-adult-1', reason: 'seat 12A', amount: { amount: '35.00', currency: 'GBP' }, status: 'REFUNDED', supplierStatus: 'RF' },
      { type: 'ETICKET', number: '1252123456791', passengerId: 'p-infant-1', status: 'ISSUED', supplierStatus: 'S' },
    ]);
    expect(liveTickets(order.documents).map((d) => d.number)).toEqual(['1252123456800', '1252123456791']);
    // The fixture without any status still maps every document as live (status absent).
    expect(liveDocuments(mapOrderRS(fixture('OrderViewRS.21.3.xml'), '21.3', 'ndc-test', 'OrderViewRS').documents)).toHaveLength(3);
  });

  it.each([
    ['I', 'ISSUED'], ['OPEN', 'ISSUED'], ['E', 'EXCHANGED'], ['EXCHANGED', 'EXCHANGED'], ['V', 'VOID'], ['VOID', 'VOID'],
    ['R', 'REFUNDED'], ['RF', 'REFUNDED'], ['REFUNDED', 'REFUNDED'], ['rf', 'REFUNDED'], ['Q7', 'ISSUED'],
  ])('ticket status code %s → %s (open set: unknown codes stay ISSUED with the raw code)', (code, status) => {
    const mapped = ticketStatus({ TicketStatusCode: code });
    expect(mapped.status).toBe(status);
    expect(mapped.supplierStatus).toBe(code === status ? undefined : code);
    expect(ticketStatus({ Coupon: [{ CouponStatusCode: code }, { CouponStatusCode: code }] }).status).toBe(status);
  });

  it('ticket status: absent → no status (ISSUED); disagreeing coupons stay live; exchangedFor only on an exchanged ticket', () => {
    expect(ticketStatus({})).toEqual({});
    expect(ticketStatus({ Coupon: [{}] })).toEqual({});
    expect(ticketStatus({ Coupon: [{ CouponStatusCode: 'V' }, { CouponStatusCode: 'E' }] })).toEqual({ status: 'ISSUED', supplierStatus: 'V,E' });
    expect(ticketStatus({ TicketStatusCode: 'V', ExchangedForTicketNumber: '1252123456800' })).toEqual({ status: 'VOID', supplierStatus: 'V' });
    expect(ticketStatus({ ExchangedForTicketNumber: '1252123456800' })).toEqual({ status: 'EXCHANGED', exchangedFor: '1252123456800' });
  });

  it('an order without OrderItems (order totals only): base and taxes split evenly per traveller, remainder on the first, one XT tax line', () => {
    const xml = fixture('OrderCancelRS.17.2.xml');
    const one = mapOrderRS(xml, '17.2', 'ndc-test', 'OrderCancelRS');
    expect(one.fares).toEqual([{ passengerType: 'ADT', count: 1, fare: { fareBasis: '', base: { amount: '71500', currency: 'JPY' }, taxes: [{ code: 'XT', amount: { amount: '26500', currency: 'JPY' } }], total: { amount: '98000', currency: 'JPY' } } }]);
    const pax = (id: string) => `<ns2:Pax><ns2:PaxID>${id}</ns2:PaxID><ns2:PTC>ADT</ns2:PTC><ns2:Individual><ns2:GivenName>Yui</ns2:GivenName><ns2:Surname>Sato</ns2:Surname><ns2:Birthdate>1981-04-05</ns2:Birthdate></ns2:Individual></ns2:Pax>`;
    const three = mapOrderRS(xml.replace('</ns2:Pax>', `</ns2:Pax>${pax('p2')}${pax('p3')}`), '17.2', 'ndc-test', 'OrderCancelRS');
    const jpy = (amount: string) => ({ amount, currency: 'JPY' });
    expect(three.fares).toEqual([
      { passengerType: 'ADT', count: 1, fare: { fareBasis: '', base: jpy('23834'), taxes: [{ code: 'XT', amount: jpy('8834') }], total: jpy('32668') } },
      { passengerType: 'ADT', count: 2, fare: { fareBasis: '', base: jpy('23833'), taxes: [{ code: 'XT', amount: jpy('8833') }], total: jpy('32666') } },
    ]);
  });

  it('OrderReshopRS: a refund quote (21.3) and a change offer (19.2)', () => {
    expect(mapRefundQuoteRS(fixture('OrderReshopRS.21.3.xml'), '21.3', 'ORD-1')).toEqual({
      id: 'RQ-7K2Q9X-1', orderId: 'ORD-1', penalty: { amount: '150.00', currency: 'GBP' }, refundAmount: { amount: '594.37', currency: 'GBP' },
      refundTo: 'original_form_of_payment', expiresAt: Date.UTC(2027, 2, 2, 9, 15),
    });
    const change = mapChangeQuoteRS(fixture('OrderReshopRS-change.19.2.xml'), '19.2', 'ORD-1');
    expect(change).toMatchObject({ id: 'CQ-7K2Q9X-1', totalDue: { amount: '117.50', currency: 'GBP' }, fareDifference: { amount: '42.50', currency: 'GBP' } });
    // 2027-03-15: New York is on EDT now, London still GMT.
    expect(change.newSlices[0]!.segments[0]!.durationMinutes).toBe(415);
  });

  it('OrderCancelRS 17.2 with prefixed namespaces: an unknown status word is UNKNOWN, kept verbatim; JPY and the date line', () => {
    const order = mapOrderRS(fixture('OrderCancelRS.17.2.xml'), '17.2', 'ndc-test', 'OrderCancelRS');
    expect(order.status).toBe('UNKNOWN');
    expect(order.supplierStatus).toBe('CLOSED_REFUND_PENDING');
    expect(order.total).toEqual({ amount: '98000', currency: 'JPY' });
    expect(order.slices[0]!.segments[0]).toMatchObject({ durationMinutes: 450, carrier: 'JL' });
    expect(order.conditions.refund.fee).toEqual({ amount: '20000', currency: 'JPY' });
    expect(order.reference).toBeNull();
  });

  it('an Errors response becomes the first error\'s kind, with the supplier code', () => {
    const err = failure(() => mapOrderRS(fixture('Errors.19.2.xml'), '19.2', 'ndc-test', 'OrderViewRS'));
    expect(err.kind).toBe('sold-out');
    expect(err.details.supplierCode).toBe('NO_AVAILABILITY');
    expect(err.message).toContain('No seats left');
    // 17.2 layout, fare changed with the new price, and an unknown code (open set).
    const v17 = (inner: string) => `<OrderViewRS xmlns="http://www.iata.org/IATA/EDIST/2017.2" Version="17.2"><Errors>${inner}</Errors></OrderViewRS>`;
    const changed = failure(() => mapOrderRS(v17('<Error Code="PRICE_CHANGED" NewTotal="712.40" CurCode="GBP">Fare went up</Error>'), '17.2', 'x', 'OrderViewRS'));
    expect(changed).toMatchObject({ kind: 'fare-changed', details: { supplierCode: 'PRICE_CHANGED', newTotal: { amount: '712.40', currency: 'GBP' } } });
    const unknown = failure(() => mapOrderRS(v17('<Error Code="XYZ_42">Carrier says no</Error>'), '17.2', 'x', 'OrderViewRS'));
    expect(unknown).toMatchObject({ kind: 'invalid-request', details: { supplierCode: 'XYZ_42' } });
  });
});

describe('malformed NDC responses → malformed-response naming the path', () => {
  const shopping = fixture('AirShoppingRS.21.3.xml');

  it.each([
    ['not well-formed XML', shopping.replace('</PaxList>', ''), '/'],
    ['a missing mandatory element', shopping.replace('<OwnerCode>BA</OwnerCode>', ''), '/IATA_AirShoppingRS/Response/OffersGroup/CarrierOffers/Offer/0/OwnerCode'],
    ['an unknown airport', shopping.replace('<IATA_LocationCode>JFK</IATA_LocationCode>', '<IATA_LocationCode>XXX</IATA_LocationCode>'), 'Response/DataLists/PaxSegmentList/PaxSegment/0/Arrival/IATA_LocationCode'],
    ['an unknown carrier', shopping.replace('<CarrierDesigCode>EK</CarrierDesigCode><MarketingCarrierFlightNumberText>404', '<CarrierDesigCode>Q9</CarrierDesigCode><MarketingCarrierFlightNumberText>404'), 'Response/DataLists/PaxSegmentList/PaxSegment/2/MarketingCarrierInfo/CarrierDesigCode'],
    ['a float-ish amount', shopping.replace('<BaseAmount CurCode="GBP">412.00</BaseAmount>', '<BaseAmount CurCode="GBP">4.12e2</BaseAmount>'), '/IATA_AirShoppingRS/Response/OffersGroup/CarrierOffers/Offer/0/OfferItem/0/Price/BaseAmount/#text'],
    ['too many decimals for the currency', shopping.replace('<TotalAmount CurCode="GBP">674.70</TotalAmount>', '<TotalAmount CurCode="GBP">674.705</TotalAmount>'), '/IATA_AirShoppingRS/Response/OffersGroup/CarrierOffers/Offer/0/OfferItem/0/Price/TotalAmount/#text'],
    ['an item total that is not base + taxes', shopping.replace('<TotalAmount CurCode="GBP">674.70</TotalAmount>', '<TotalAmount CurCode="GBP">674.71</TotalAmount>'), 'Response/OffersGroup/CarrierOffers/Offer/0/OfferItem/0/Price/TotalAmount'],
    ['an offer total that is not the sum of its items', shopping.replace('1834.10', '1834.00'), 'Response/OffersGroup/CarrierOffers/Offer/0/TotalPrice/TotalAmount'],
    ['a dangling journey reference', shopping.replace('<PaxJourneyRefID>J2</PaxJourneyRefID>', '<PaxJourneyRefID>J7</PaxJourneyRefID>'), 'Response/OffersGroup/CarrierOffers/Offer/1/PaxJourneyRefID/0'],
    ['a local time with an offset', shopping.replace('2027-03-14T08:25:00', '2027-03-14T08:25:00Z'), 'Response/DataLists/PaxSegmentList/PaxSegment/0/Dep/AircraftScheduledDateTime'],
    ['another version\'s namespace', shopping.replace('EASD/00/IATA_OffersAndOrdersMessage', '00/2019.2/IATA_AirShoppingRS'), '/IATA_AirShoppingRS/@xmlns'],
    ['another message', fixture('OrderReshopRS.21.3.xml'), '/IATA_OrderReshopRS'],
    ['an HTML error page', '<html><body>Bad gateway</body></html>', '/html'],
    ['an empty body', '', '/'],
  ])('%s', (_what, xml, expectedPath) => {
    const err = failure(() => mapAirShoppingRS(xml, '21.3', 'ndc-test'));
    expect(err.kind).toBe('malformed-response');
    expect(err.details.path).toBe(expectedPath);
    expect(err.message).toContain(expectedPath);
  });

  it('the root is found after a prolog comment that looks like an element', () => {
    const xml = shopping.replace('<IATA_AirShoppingRS xmlns', '<!-- <Other xmlns="x"> --><IATA_AirShoppingRS xmlns');
    expect(mapAirShoppingRS(xml, '21.3', 'x')).toHaveLength(2);
  });

  it.each([
    [
      'OrderItems that do not add up to the order total',
      (x: string) => x.replace('<TotalAmount CurCode="GBP">69.67</TotalAmount>\n          <BaseAmount CurCode="GBP">41.20</BaseAmount>', '<TotalAmount CurCode="GBP">69.68</TotalAmount>\n          <BaseAmount CurCode="GBP">41.21</BaseAmount>'),
      'Response/Order/TotalPrice/TotalAmount',
    ],
    ['an OrderItem whose total is not base + taxes', (x: string) => x.replace('<TotalAmount CurCode="GBP">69.67</TotalAmount>', '<TotalAmount CurCode="GBP">69.66</TotalAmount>'), 'Response/Order/OrderItem/1/Price/TotalAmount'],
    ['an OrderItem naming a passenger not in PaxList', (x: string) => x.replace('<FareDetail><PaxRefID>p-infant-1</PaxRefID>', '<FareDetail><PaxRefID>p-nobody</PaxRefID>'), 'Response/Order/OrderItem/1/FareDetail/PaxRefID/0'],
    ['OrderItems pricing the wrong passengers (the infant priced as a second adult)', (x: string) => x.replace('<FareDetail><PaxRefID>p-infant-1</PaxRefID>', '<FareDetail><PaxRefID>p-adult-1</PaxRefID>'), 'Response/Order/OrderItem'],
    ['an OrderItem with an empty FareComponent', (x: string) => x.replace('<FareBasisCode>YLOWGB/IN90</FareBasisCode>', ''), '/IATA_OrderViewRS/Response/Order/OrderItem/1/FareDetail/FareComponent/0'],
    ['an OrderItem tax in another currency', (x: string) => x.replace('<Amount CurCode="GBP">28.47</Amount>', '<Amount CurCode="EUR">28.47</Amount>'), 'Response/Order/OrderItem/1/Price'],
  ])('OrderViewRS: %s', (_what, edit, expectedPath) => {
    const xml = edit(fixture('OrderViewRS.21.3.xml'));
    expect(xml).not.toBe(fixture('OrderViewRS.21.3.xml'));
    const err = failure(() => mapOrderRS(xml, '21.3', 'x', 'OrderViewRS'));
    expect(err.kind).toBe('malformed-response');
    expect(err.details.path).toBe(expectedPath);
  });

  it('a ticket number that is not 13 digits and an unknown document type', () => {
    const order = fixture('OrderViewRS.21.3.xml');
    expect(failure(() => mapOrderRS(order.replace('1252123456791', '12521234'), '21.3', 'x', 'OrderViewRS')).details.path).toBe('/IATA_OrderViewRS/Response/TicketDocInfo/1/Ticket/0/TicketNumber');
    expect(failure(() => mapOrderRS(order.replace('<TicketDocTypeCode>J</TicketDocTypeCode>', '<TicketDocTypeCode>Z</TicketDocTypeCode>'), '21.3', 'x', 'OrderViewRS')).details.path).toBe(
      'Response/TicketDocInfo/0/Ticket/1/TicketDocTypeCode',
    );
  });
});

describe('property: every mapped offer adds up exactly', () => {
  const cents = fc.integer({ min: 0, max: 5_000_000 });
  const currency = fc.constantFrom(['GBP', 2], ['JPY', 0], ['KWD', 3], ['EUR', 2]) as fc.Arbitrary<[string, number]>;
  const text = (minor: number, exp: number) => (exp === 0 ? String(minor) : `${Math.floor(minor / 10 ** exp)}.${String(minor % 10 ** exp).padStart(exp, '0')}`);

  it('total = base + taxes in minor units, per fare and per offer', () => {
    fc.assert(
      fc.property(currency, fc.array(fc.record({ base: cents, taxes: fc.array(cents, { maxLength: 4 }), count: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 3 }), ([cur, exp], items) => {
        let pax = 0;
        const paxList: string[] = [];
        let offerTotal = 0;
        const itemXml = items.map((it, i) => {
          const total = it.base + it.taxes.reduce((a, b) => a + b, 0);
          offerTotal += total * it.count;
          const refs = Array.from({ length: it.count }, () => {
            pax++;
            paxList.push(`<Pax><PaxID>P${pax}</PaxID><PTC>${i === 0 ? 'ADT' : i === 1 ? 'CHD' : 'INF'}</PTC></Pax>`);
            return `<PaxRefID>P${pax}</PaxRefID>`;
          });
          const taxes = it.taxes.map((t, k) => `<Tax><Amount CurCode="${cur}">${text(t, exp)}</Amount><TaxCode>T${k}</TaxCode></Tax>`).join('');
          return `<OfferItem><OfferItemID>I${i}</OfferItemID><Price><TotalAmount CurCode="${cur}">${text(total, exp)}</TotalAmount><BaseAmount CurCode="${cur}">${text(it.base, exp)}</BaseAmount>${taxes ? `<TaxSummary>${taxes}</TaxSummary>` : ''}</Price><FareDetail>${refs.join('')}<FareComponent><FareBasisCode>F</FareBasisCode></FareComponent></FareDetail></OfferItem>`;
        });
        const xml = fixture('AirShoppingRS.21.3.xml')
          .replace(/<PaxList>[\s\S]*?<\/PaxList>/, `<PaxList>${paxList.join('')}</PaxList>`)
          .replace(/<Offer>[\s\S]*<\/Offer>/, (offers) =>
            offers.slice(0, offers.indexOf('</Offer>') + 8).replace(/<TotalPrice>[\s\S]*?<\/TotalPrice>/, `<TotalPrice><TotalAmount CurCode="${cur}">${text(offerTotal, exp)}</TotalAmount></TotalPrice>`).replace(/<OfferItem>[\s\S]*<\/OfferItem>/, itemXml.join('')),
          )
          .replace(/CurCode="GBP">75.00/, `CurCode="${cur}">${text(7500, exp)}`);
        const [offer] = mapAirShoppingRS(xml, '21.3', 'p');
        const minor = (m: { amount: string; currency: string }) => Money.fromJson(m).amount.times(10 ** exp).toNumber();
        expect(minor(offer!.total)).toBe(minor(offer!.base) + minor(offer!.taxTotal));
        expect(minor(offer!.total)).toBe(offerTotal);
        for (const f of offer!.fares) expect(minor(f.fare.total)).toBe(minor(f.fare.base) + f.fare.taxes.reduce((a, t) => a + minor(t.amount), 0));
      }),
      { numRuns: 60 },
    );
  });
});
