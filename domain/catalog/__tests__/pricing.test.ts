import fc from 'fast-check';
import { Dec } from '../../money/money';
import { markupFor } from '../markup';
import type { GroundServiceProduct, HotelProduct, InsuranceProduct, MarkupRule, PriceBreakdown, PriceRequest, Rate, TourProduct } from '../model';
import { PricingError, priceRequest } from '../pricing';

const ALL = [1, 2, 3, 4, 5, 6, 7] as Rate['weekdays'];

const rate = (overrides: Partial<Rate>): Rate => ({
  category: 'DBL',
  ratePlan: 'BAR',
  validFrom: '2027-06-01',
  validTo: '2027-06-30',
  weekdays: ALL,
  basis: 'PER_ROOM_PER_NIGHT',
  amount: '100.00',
  ...overrides,
});

/** Low season June 2027, high season July-August 2027; a per-room plan BAR and a per-person plan HB. */
const hotel = (overrides: Partial<HotelProduct> = {}): HotelProduct => ({
  type: 'HOTEL',
  supplierCode: 'SUP-ROMA',
  code: 'HTL-ROMA',
  name: 'Hotel Roma',
  destination: 'IT-ROME',
  country: 'IT',
  currency: 'EUR',
  active: true,
  minPax: 1,
  maxPax: 9,
  categories: [
    { code: 'DBL', name: 'Double Room', maxOccupancy: 3, standardOccupancy: 2 },
    { code: 'FAM', name: 'Family Room', maxOccupancy: 4, standardOccupancy: 2 },
  ],
  rates: [
    rate({ amount: '100.00', singleSupplement: '30.00' }),
    rate({ validFrom: '2027-07-01', validTo: '2027-08-31', amount: '140.00', singleSupplement: '40.00' }),
    rate({ category: 'FAM', ratePlan: 'HB', basis: 'PER_PERSON_PER_NIGHT', amount: '80.00' }),
    rate({ category: 'FAM', ratePlan: 'HB', basis: 'PER_PERSON_PER_NIGHT', validFrom: '2027-07-01', validTo: '2027-08-31', amount: '110.00' }),
  ],
  childBands: [
    { minAge: 2, maxAge: 11, discountPercent: '50' },
    { minAge: 0, maxAge: 1, discountPercent: '100' },
  ],
  taxes: [],
  ...overrides,
});

const request = (overrides: Partial<PriceRequest> = {}): PriceRequest => ({
  product: hotel(),
  category: 'DBL',
  ratePlan: 'BAR',
  startDate: '2027-06-10',
  nights: 2,
  units: [{ adults: 2, childAges: [] }],
  channel: 'direct',
  sellingCurrency: 'EUR',
  fxRate: '1',
  markupRules: [],
  ...overrides,
});

const sum = (values: string[]) => values.reduce((acc, v) => acc.plus(v), new Dec(0));
const linesOf = (b: PriceBreakdown, kind: string) => b.lines.filter((l) => l.kind === kind);

function problemsOf(req: PriceRequest) {
  try {
    priceRequest(req);
  } catch (err) {
    expect(err).toBeInstanceOf(PricingError);
    return (err as PricingError).problems;
  }
  throw new Error('expected a PricingError');
}

describe('markupFor: the most specific rule wins', () => {
  const rules: MarkupRule[] = [
    { productType: null, channel: null, percent: '10' },
    { productType: null, channel: 'agent', percent: '12' },
    { productType: 'HOTEL', channel: null, percent: '18' },
    { productType: 'HOTEL', channel: 'agent', percent: '15' },
  ];
  it('ranks (type, channel) > (type, any) > (any, channel) > (any, any)', () => {
    expect(markupFor(rules, 'HOTEL', 'agent')?.percent).toBe('15');
    expect(markupFor(rules, 'HOTEL', 'direct')?.percent).toBe('18');
    expect(markupFor(rules, 'TOUR', 'agent')?.percent).toBe('12');
    expect(markupFor(rules, 'TOUR', 'online')?.percent).toBe('10');
    expect(markupFor([...rules].reverse(), 'HOTEL', 'agent')?.percent).toBe('15');
  });
  it('a product type beats a channel, and no rule means null', () => {
    expect(markupFor([rules[1]!, rules[2]!], 'HOTEL', 'agent')?.percent).toBe('18');
    expect(markupFor([{ productType: 'TOUR', channel: 'agent', percent: '9' }], 'HOTEL', 'agent')).toBeNull();
    expect(markupFor([], 'HOTEL', 'agent')).toBeNull();
  });
});

describe('hotels', () => {
  it('prices a stay crossing a month end and a season boundary night by night (worked by hand)', () => {
    // 2027-06-28 for 5 nights: 28, 29, 30 June at the low season, 1 and 2 July at the high season.
    // Family room, half board per person per night: 2 adults, a child of 5 (2-11: 50 % off), an infant (0-1: free).
    // Low night: 2 x 80 + 40 + 0 = 200; high night: 2 x 110 + 55 + 0 = 275. Cost 3 x 200 + 2 x 275 = 1150.00.
    // Markup hotels 20 %: sell 1380.00. City tax 3.50 x 2 adults x 5 nights = 35.00; VAT 10 % of 1380.00 = 138.00.
    const product = hotel({
      taxes: [
        { code: 'CITY', name: 'City tax', kind: 'PER_PERSON_PER_NIGHT', amount: '3.50', appliesToChildren: false },
        { code: 'VAT', name: 'VAT', kind: 'PERCENT', amount: '10', appliesToChildren: false },
      ],
    });
    const b = priceRequest(
      request({
        product,
        category: 'FAM',
        ratePlan: 'HB',
        startDate: '2027-06-28',
        nights: 5,
        units: [{ adults: 2, childAges: [5, 1] }],
        markupRules: [{ productType: 'HOTEL', channel: null, percent: '20' }],
      }),
    );
    const base = linesOf(b, 'BASE');
    expect(base.map((l) => [l.date, l.unitCost, l.cost, l.sell])).toEqual([
      ['2027-06-28', '80.00', '160.00', '192.00'],
      ['2027-06-29', '80.00', '160.00', '192.00'],
      ['2027-06-30', '80.00', '160.00', '192.00'],
      ['2027-07-01', '110.00', '220.00', '264.00'],
      ['2027-07-02', '110.00', '220.00', '264.00'],
    ]);
    const child = linesOf(b, 'CHILD');
    expect(child.map((l) => [l.date, l.description, l.cost])).toEqual([
      ['2027-06-28', 'Child 0-1 free, per person per night', '0.00'],
      ['2027-06-28', 'Child 2-11 (50 % off), per person per night', '40.00'],
      ['2027-06-29', 'Child 0-1 free, per person per night', '0.00'],
      ['2027-06-29', 'Child 2-11 (50 % off), per person per night', '40.00'],
      ['2027-06-30', 'Child 0-1 free, per person per night', '0.00'],
      ['2027-06-30', 'Child 2-11 (50 % off), per person per night', '40.00'],
      ['2027-07-01', 'Child 0-1 free, per person per night', '0.00'],
      ['2027-07-01', 'Child 2-11 (50 % off), per person per night', '55.00'],
      ['2027-07-02', 'Child 0-1 free, per person per night', '0.00'],
      ['2027-07-02', 'Child 2-11 (50 % off), per person per night', '55.00'],
    ]);
    expect(linesOf(b, 'TAX').map((l) => [l.quantity, l.cost, l.sell])).toEqual([
      [10, '35.00', '35.00'],
      [1, '0.00', '138.00'],
    ]);
    expect(b).toMatchObject({ totalCost: '1185.00', totalSellNet: '1380.00', totalTax: '173.00', totalSell: '1553.00', ratePlan: 'HB' });
  });

  it('charges a single traveller the supplement each night, and prices the room whoever is in it', () => {
    const single = priceRequest(request({ units: [{ adults: 1, childAges: [] }] }));
    expect(single.lines.map((l) => [l.kind, l.date, l.cost])).toEqual([
      ['BASE', '2027-06-10', '100.00'],
      ['SINGLE_SUPPLEMENT', '2027-06-10', '30.00'],
      ['BASE', '2027-06-11', '100.00'],
      ['SINGLE_SUPPLEMENT', '2027-06-11', '30.00'],
    ]);
    expect(single.totalCost).toBe('260.00');
    // A parent with a child is no single traveller; the child shares within the standard occupancy, free.
    expect(priceRequest(request({ units: [{ adults: 1, childAges: [6] }] })).totalCost).toBe('200.00');
    // Two rooms, two adults each: 2 x 100 per night.
    expect(priceRequest(request({ units: [{ adults: 2, childAges: [] }, { adults: 2, childAges: [] }] })).totalCost).toBe('400.00');
  });

  it('per-room rates: a child beyond the standard occupancy pays the per-person share less the band discount', () => {
    // 2 adults fill the standard 2 places; the child of 6 pays 100 / 2 x 50 % = 25 per night, the infant nothing.
    const b = priceRequest(request({ units: [{ adults: 2, childAges: [6] }] }));
    expect(linesOf(b, 'CHILD').map((l) => [l.unitCost, l.cost])).toEqual([
      ['25.00', '25.00'],
      ['25.00', '25.00'],
    ]);
    expect(b.totalCost).toBe('250.00');
    expect(priceRequest(request({ units: [{ adults: 2, childAges: [1] }] })).totalCost).toBe('200.00');
    // 1 adult + an infant + a child of 6: one free place, given to the child who would pay most (the 6-year-old).
    expect(priceRequest(request({ units: [{ adults: 1, childAges: [1, 6] }] })).totalCost).toBe('200.00');
  });

  it('weekday rates: a weekend rate beside a weekday rate in the same season', () => {
    const product = hotel({
      rates: [
        rate({ validFrom: '2027-03-01', validTo: '2027-03-31', weekdays: [1, 2, 3, 4, 7], amount: '100.00' }),
        rate({ validFrom: '2027-03-01', validTo: '2027-03-31', weekdays: [5, 6], amount: '130.00' }),
      ],
    });
    // Thursday 4 March for 4 nights: Thu 100, Fri 130, Sat 130, Sun 100.
    const b = priceRequest(request({ product, startDate: '2027-03-04', nights: 4 }));
    expect(b.lines.map((l) => [l.date, l.cost])).toEqual([
      ['2027-03-04', '100.00'],
      ['2027-03-05', '130.00'],
      ['2027-03-06', '130.00'],
      ['2027-03-07', '100.00'],
    ]);
    expect(b.totalCost).toBe('460.00');
  });

  it('dates each night through a year end and a leap day', () => {
    const product = hotel({ rates: [rate({ validFrom: '2027-12-01', validTo: '2028-03-31', amount: '90.00' })] });
    expect(priceRequest(request({ product, startDate: '2027-12-30', nights: 3 })).lines.map((l) => l.date)).toEqual(['2027-12-30', '2027-12-31', '2028-01-01']);
    expect(priceRequest(request({ product, startDate: '2028-02-28', nights: 2 })).lines.map((l) => l.date)).toEqual(['2028-02-28', '2028-02-29']);
    expect(problemsOf(request({ product, startDate: '2027-02-29' }))).toEqual([{ path: 'startDate', message: '"2027-02-29" is not a calendar date YYYY-MM-DD' }]);
  });

  it('a contracted sell rate is sold as contracted, without markup (the single supplement still takes markup)', () => {
    const product = hotel({ rates: [rate({ amount: '100.00', sellAmount: '125.00', singleSupplement: '30.00' })] });
    const rules: MarkupRule[] = [{ productType: null, channel: null, percent: '50' }];
    const b = priceRequest(request({ product, markupRules: rules, units: [{ adults: 1, childAges: [] }, { adults: 2, childAges: [6] }] }));
    const night = b.lines.filter((l) => l.date === '2027-06-10');
    expect(night.map((l) => [l.kind, l.cost, l.sell])).toEqual([
      ['BASE', '200.00', '250.00'],
      ['CHILD', '25.00', '31.25'],
      ['SINGLE_SUPPLEMENT', '30.00', '45.00'],
    ]);
    expect(b).toMatchObject({ totalCost: '510.00', totalSellNet: '652.50', totalSell: '652.50' });
  });

  it('fixed taxes are adults only unless they apply to children; percent taxes are on the selling net', () => {
    const taxes = (appliesToChildren: boolean) =>
      hotel({
        taxes: [
          { code: 'CITY', name: 'City tax', kind: 'PER_PERSON_PER_NIGHT', amount: '2.25', appliesToChildren },
          { code: 'ECO', name: 'Eco fee', kind: 'PER_PERSON', amount: '5', appliesToChildren },
          { code: 'VAT', name: 'VAT', kind: 'PERCENT', amount: '7.5', appliesToChildren: false },
        ],
      });
    // 2 rooms x 2 nights x 100 = 400 net; 3 adults + 1 child; markup 0.
    const units = [{ adults: 2, childAges: [] }, { adults: 1, childAges: [4] }];
    const adultsOnly = priceRequest(request({ product: taxes(false), units }));
    expect(linesOf(adultsOnly, 'TAX').map((l) => [l.description, l.quantity, l.cost, l.sell])).toEqual([
      ['City tax, 3 people x 2 nights', 6, '13.50', '13.50'],
      ['Eco fee, 3 people', 3, '15.00', '15.00'],
      ['VAT 7.5 % of 400.00 EUR', 1, '0.00', '30.00'],
    ]);
    expect(adultsOnly).toMatchObject({ totalCost: '428.50', totalSellNet: '400.00', totalTax: '58.50', totalSell: '458.50' });
    const withChildren = priceRequest(request({ product: taxes(true), units }));
    expect(linesOf(withChildren, 'TAX').map((l) => l.sell)).toEqual(['18.00', '20.00', '30.00']);
  });

  it('converts to JPY (0 decimals) and KWD (3 decimals), rounding each line once HALF_UP', () => {
    // 100 EUR x 150.005 = 15000.5 JPY -> 15001 (HALF_UP; banker's rounding would give 15000).
    const jpy = priceRequest(request({ nights: 1, sellingCurrency: 'JPY', fxRate: '150.005' }));
    expect(jpy.lines[0]).toMatchObject({ cost: '100.00', sell: '15001' });
    expect(jpy).toMatchObject({ totalCost: '100.00', totalSellNet: '15001', totalSell: '15001', sellingCurrency: 'JPY' });
    // 100 EUR x 0.333325 = 33.3325 KWD -> 33.333.
    const kwd = priceRequest(request({ nights: 1, sellingCurrency: 'KWD', fxRate: '0.333325' }));
    expect(kwd.lines[0]!.sell).toBe('33.333');
    // Two nights: each line rounded, the total is the sum of the rounded lines (66.666, not 66.665).
    expect(priceRequest(request({ nights: 2, sellingCurrency: 'KWD', fxRate: '0.333325' })).totalSell).toBe('66.666');
    // A JPY-priced product: cost rounded to whole yen.
    const yenHotel = hotel({ currency: 'JPY', rates: [rate({ amount: '12345', basis: 'PER_PERSON_PER_NIGHT' })] });
    const fromYen = priceRequest(request({ product: yenHotel, nights: 1, units: [{ adults: 1, childAges: [7] }], sellingCurrency: 'EUR', fxRate: '0.0061' }));
    expect(fromYen.lines.map((l) => [l.kind, l.unitCost, l.cost, l.sell])).toEqual([
      ['BASE', '12345', '12345', '75.30'],
      ['CHILD', '6172.5', '6173', '37.65'],
    ]);
  });
});

const tour = (overrides: Partial<TourProduct> = {}): TourProduct => ({
  type: 'TOUR',
  supplierCode: 'SUP-SAFARI',
  code: 'TR-MARA',
  name: 'Masai Mara',
  destination: 'KE-MASAI-MARA',
  country: 'KE',
  currency: 'USD',
  active: true,
  minPax: 1,
  maxPax: 20,
  categories: [{ code: 'TENT', name: 'Tented camp', maxOccupancy: 3, standardOccupancy: 2 }],
  rates: [
    rate({ category: 'TENT', ratePlan: 'STD', basis: 'PER_PERSON', validFrom: '2027-09-01', validTo: '2027-10-31', amount: '1500', singleSupplement: '300', extraNight: '90' }),
  ],
  childBands: [{ minAge: 2, maxAge: 11, discountPercent: '25' }],
  taxes: [],
  itinerary: [],
  durationNights: 7,
  departures: [
    { date: '2027-09-04', status: 'SCHEDULED' },
    { date: '2027-09-11', status: 'CANCELLED' },
  ],
  guaranteedThreshold: 4,
  ...overrides,
});

describe('tours, ground services, insurance', () => {
  it('a tour with extra nights: departure rate per person, children by band, single supplement once', () => {
    // Tent 1: 2 adults + child of 8; tent 2: one adult alone. 9 nights = 7 + 2 extra.
    // 3 x 1500 + 1125 + 300 + 3 x 2 x 90 + 2 x 67.50 = 4500 + 1125 + 300 + 540 + 135 = 6600.
    const b = priceRequest(
      request({ product: tour(), category: 'TENT', ratePlan: undefined, startDate: '2027-09-04', nights: 9, units: [{ adults: 2, childAges: [8] }, { adults: 1, childAges: [] }] }),
    );
    expect(b.lines.map((l) => [l.kind, l.date, l.quantity, l.unitCost, l.cost])).toEqual([
      ['BASE', '2027-09-04', 3, '1500.00', '4500.00'],
      ['CHILD', '2027-09-04', 1, '1125.00', '1125.00'],
      ['SINGLE_SUPPLEMENT', '2027-09-04', 1, '300.00', '300.00'],
      ['EXTRA_NIGHT', undefined, 6, '90.00', '540.00'],
      ['EXTRA_NIGHT', undefined, 2, '67.50', '135.00'],
    ]);
    expect(b).toMatchObject({ ratePlan: 'STD', totalCost: '6600.00', totalSell: '6600.00' });
    expect(priceRequest(request({ product: tour(), category: 'TENT', ratePlan: 'STD', startDate: '2027-09-04', nights: 7 })).totalCost).toBe('3000.00');
  });

  it('ground services per vehicle or per person, insurance per person on the trip start date', () => {
    const ground = (basis: Rate['basis']): GroundServiceProduct => ({
      ...tour(),
      type: 'GROUND_SERVICE',
      code: 'TRF-FCO',
      kind: 'TRANSFER',
      categories: [{ code: 'VAN', name: 'Minivan', maxOccupancy: 7, standardOccupancy: 1 }],
      rates: [rate({ category: 'VAN', ratePlan: 'STD', basis, validFrom: '2027-01-01', validTo: '2027-12-31', amount: '85.50' })],
    });
    const vans = [{ adults: 4, childAges: [6] }, { adults: 2, childAges: [] }];
    const perUnit = priceRequest(request({ product: ground('PER_UNIT'), category: 'VAN', ratePlan: 'STD', startDate: '2027-05-02', nights: 0, units: vans }));
    expect(perUnit.lines.map((l) => [l.kind, l.quantity, l.cost])).toEqual([['BASE', 2, '171.00']]);
    const perPerson = priceRequest(request({ product: ground('PER_PERSON'), category: 'VAN', ratePlan: 'STD', startDate: '2027-05-02', nights: 0, units: vans }));
    expect(perPerson.totalCost).toBe('577.13'); // 6 x 85.50 + 0.75 x 85.50 = 513 + 64.125 -> 64.13
    const insurance: InsuranceProduct = {
      ...tour(),
      type: 'INSURANCE',
      code: 'INS-EU',
      cover: 'Medical',
      maxTripDays: 31,
      categories: [{ code: 'STD', name: 'Standard cover', maxOccupancy: 9, standardOccupancy: 1 }],
      rates: [
        rate({ category: 'STD', ratePlan: 'STD', basis: 'PER_PERSON', validFrom: '2027-01-01', validTo: '2027-06-30', amount: '40' }),
        rate({ category: 'STD', ratePlan: 'STD', basis: 'PER_PERSON', validFrom: '2027-07-01', validTo: '2027-12-31', amount: '48' }),
      ],
    };
    // The trip starts in June (rate 40) and ends in July: the start date's rate prices it all.
    const ins = priceRequest(request({ product: insurance, category: 'STD', ratePlan: 'STD', startDate: '2027-06-25', nights: 30, units: [{ adults: 2, childAges: [3] }] }));
    expect(ins.lines.map((l) => [l.kind, l.date, l.cost])).toEqual([
      ['BASE', '2027-06-25', '80.00'],
      ['CHILD', '2027-06-25', '30.00'],
    ]);
    expect(problemsOf(request({ product: insurance, category: 'STD', ratePlan: 'STD', startDate: '2027-06-25', nights: 31 }))).toEqual([
      { path: 'nights', message: 'a trip of 32 days (31 nights) is longer than the 31 days product INS-EU covers' },
    ]);
  });
});

describe('every problem at once', () => {
  it('lists every problem of a hotel request', () => {
    const problems = problemsOf(
      request({
        category: 'FAM',
        ratePlan: 'HB',
        startDate: '2027-08-30',
        nights: 4,
        units: [{ adults: 4, childAges: [14, 3] }],
        sellingCurrency: 'XYZ',
        fxRate: '-1.2',
        product: hotel({ maxPax: 5 }),
      }),
    );
    expect(problems).toEqual([
      { path: 'sellingCurrency', message: '"XYZ" is not an ISO 4217 currency code' },
      { path: 'fxRate', message: 'must be a positive decimal such as "1.1734" (got "-1.2")' },
      { path: 'units[0].childAges[0]', message: 'age 14 is outside every child band of product HTL-ROMA (bands: 0-1, 2-11); book older travellers as adults' },
      { path: 'units[0]', message: '6 people exceed the maximum occupancy 4 of category FAM' },
      { path: 'units', message: '6 travellers is outside the 1..5 travellers product HTL-ROMA accepts' },
      { path: 'nights', message: 'no FAM/HB rate for the nights 2027-09-01 to 2027-09-02 (2 nights)' },
    ]);
  });

  it('names unknown categories and rate plans, bad nights and single missing nights', () => {
    expect(problemsOf(request({ category: 'SUITE', nights: -1 }))).toEqual([
      { path: 'nights', message: 'must be a whole number >= 0 (got -1)' },
      { path: 'category', message: 'unknown category "SUITE" for product HTL-ROMA (categories: DBL, FAM)' },
    ]);
    expect(problemsOf(request({ ratePlan: 'NRF' }))).toEqual([{ path: 'ratePlan', message: 'unknown rate plan "NRF" for category DBL (plans: BAR)' }]);
    expect(problemsOf(request({ startDate: '2027-05-31', nights: 1 }))).toEqual([{ path: 'nights', message: 'no DBL/BAR rate for the night of 2027-05-31 (Monday)' }]);
  });

  it('names malformed catalog data instead of failing on it', () => {
    const product = hotel({ childBands: [], rates: [rate({ amount: '1e3', sellAmount: '-5' })], taxes: [{ code: 'X', name: 'X', kind: 'PERCENT', amount: 'ten', appliesToChildren: false }] });
    expect(problemsOf(request({ product, units: [{ adults: 2, childAges: [4] }], markupRules: [{ productType: null, channel: null, percent: '5%' }] }))).toEqual([
      { path: 'units[0].childAges[0]', message: 'age 4 is outside every child band of product HTL-ROMA (bands: none); book older travellers as adults' },
      { path: 'markupRules[0].percent', message: 'percent must be a decimal number >= 0 such as "120.50" (got "5%")' },
      { path: 'product.taxes[0].amount', message: 'amount must be a decimal number >= 0 such as "120.50" (got "ten")' },
      { path: 'product.rates[0].amount', message: 'amount must be a decimal number >= 0 such as "120.50" (got "1e3")' },
      { path: 'product.rates[0].sellAmount', message: 'sellAmount must be a decimal number >= 0 such as "120.50" (got "-5")' },
    ]);
  });

  it('lists every problem of a tour request', () => {
    const t = tour();
    expect(problemsOf(request({ product: t, category: 'TENT', ratePlan: 'STD', startDate: '2027-09-11', nights: 5, units: [{ adults: 1, childAges: [] }] }))).toEqual([
      { path: 'startDate', message: 'the departure of 2027-09-11 is cancelled' },
      { path: 'nights', message: 'the tour lasts 7 nights; 5 is fewer' },
    ]);
    const noExtra = tour({ rates: [{ ...t.rates[0]!, extraNight: undefined }] });
    expect(problemsOf(request({ product: noExtra, category: 'TENT', ratePlan: 'STD', startDate: '2027-09-05', nights: 8, sellingCurrency: 'USD', fxRate: '1.1' }))).toEqual([
      { path: 'fxRate', message: 'must be 1 when selling in the product currency USD (got "1.1")' },
      { path: 'startDate', message: 'product TR-MARA has no departure on 2027-09-05' },
      { path: 'nights', message: '1 extra night(s) asked but the rate of 2027-09-05 (product.rates[0]) has no extraNight price' },
    ]);
  });
});

describe('properties', () => {
  const money = fc.integer({ min: 0, max: 50_000 }).map((n) => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`);
  const selling = fc.constantFrom(['EUR', '1'], ['JPY', '162.347'], ['KWD', '0.333325'], ['USD', '1.0871']);
  const arbitraryRequest = fc
    .record({
      split: fc.integer({ min: 1, max: 360 }),
      low: money,
      high: money,
      single: fc.option(money, { nil: undefined }),
      basis: fc.constantFrom('PER_ROOM_PER_NIGHT' as const, 'PER_PERSON_PER_NIGHT' as const),
      startOffset: fc.integer({ min: 0, max: 340 }),
      nights: fc.integer({ min: 1, max: 14 }),
      units: fc.array(fc.record({ adults: fc.integer({ min: 1, max: 2 }), childAges: fc.array(fc.integer({ min: 0, max: 11 }), { maxLength: 1 }) }), { minLength: 1, maxLength: 3 }),
      markup: fc.integer({ min: 0, max: 40 }).map(String),
      selling,
      cityTax: money,
    })
    .map((g): PriceRequest => {
      const day = (n: number) => new Date(Date.UTC(2027, 0, 1 + n)).toISOString().slice(0, 10);
      const product = hotel({
        rates: [
          rate({ basis: g.basis, validFrom: '2027-01-01', validTo: day(g.split - 1), amount: g.low, singleSupplement: g.single }),
          rate({ basis: g.basis, validFrom: day(g.split), validTo: '2028-12-31', amount: g.high, singleSupplement: g.single }),
        ],
        taxes: [
          { code: 'CITY', name: 'City tax', kind: 'PER_PERSON_PER_NIGHT', amount: g.cityTax, appliesToChildren: false },
          { code: 'VAT', name: 'VAT', kind: 'PERCENT', amount: '10', appliesToChildren: false },
        ],
      });
      return request({
        product,
        startDate: day(g.startOffset),
        nights: g.nights,
        units: g.units,
        markupRules: [{ productType: 'HOTEL', channel: null, percent: g.markup }],
        sellingCurrency: g.selling[0],
        fxRate: g.selling[1],
      });
    });

  it('is deterministic, adds up, never sells below zero, and more nights never cost less', () => {
    fc.assert(
      fc.property(arbitraryRequest, (req) => {
        const first = priceRequest(req);
        expect(priceRequest(structuredClone(req))).toEqual(first);
        expect(sum(first.lines.map((l) => l.cost)).toFixed(2)).toBe(new Dec(first.totalCost).toFixed(2));
        const taxes = linesOf(first, 'TAX').map((l) => l.sell);
        const net = first.lines.filter((l) => l.kind !== 'TAX').map((l) => l.sell);
        expect(sum(net).equals(first.totalSellNet)).toBe(true);
        expect(sum(taxes).equals(first.totalTax)).toBe(true);
        expect(new Dec(first.totalSellNet).plus(first.totalTax).equals(first.totalSell)).toBe(true);
        for (const line of first.lines) expect(new Dec(line.sell).isNegative()).toBe(false);
        const longer = priceRequest({ ...req, nights: req.nights + 1 });
        expect(new Dec(longer.totalSell).greaterThanOrEqualTo(first.totalSell)).toBe(true);
        expect(new Dec(longer.totalCost).greaterThanOrEqualTo(first.totalCost)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
