import type { AllotmentContract, Product } from '../model';
import { CatalogValidationError, pathToPointer } from '../problems';
import {
  checkAllotmentContract,
  checkContractAgainstProduct,
  checkProduct,
  checkSupplier,
  parseAllotmentContract,
  parseMarkupRule,
  parseProduct,
  parseStopSale,
  parseSupplier,
} from '../validation';

const supplier = (overrides: Record<string, unknown> = {}) => ({
  code: 'ACME',
  name: 'Acme Hotels',
  type: 'HOTEL',
  iban: 'DE89 3704 0044 0532 0130 00',
  paymentTerms: { depositPercent: '25', balanceDueDaysBeforeTravel: 30, netDaysAfterInvoice: 30 },
  preferredPaymentMethod: 'BANK_TRANSFER',
  invoiceCurrency: 'EUR',
  paymentCurrency: 'EUR',
  cancellationPolicy: {
    windows: [
      { fromDaysBefore: 60, toDaysBefore: 31, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '25' },
      { fromDaysBefore: 30, toDaysBefore: 0, basis: 'FIXED', scope: 'PER_PERSON', amount: '150.00', currency: 'EUR' },
      { fromDaysBefore: -1, toDaysBefore: -1, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '100' },
    ],
  },
  ...overrides,
});

const rate = (overrides: Record<string, unknown> = {}) => ({
  category: 'DBL',
  ratePlan: 'BAR',
  validFrom: '2027-04-01',
  validTo: '2027-06-30',
  basis: 'PER_ROOM_PER_NIGHT',
  amount: '120.00',
  ...overrides,
});

const hotel = (overrides: Record<string, unknown> = {}) => ({
  type: 'HOTEL',
  supplierCode: 'ACME',
  code: 'HOTEL-ROM-001',
  name: 'Albergo Roma',
  destination: 'IT-ROME',
  country: 'IT',
  currency: 'EUR',
  minPax: 1,
  maxPax: 4,
  categories: [
    { code: 'DBL', name: 'Double', maxOccupancy: 2, standardOccupancy: 2 },
    { code: 'TRP', name: 'Triple', maxOccupancy: 3, standardOccupancy: 2 },
  ],
  rates: [rate(), rate({ validFrom: '2027-07-01', validTo: '2027-08-31', amount: '150.00' }), rate({ category: 'TRP' })],
  childBands: [
    { minAge: 0, maxAge: 1, discountPercent: '100' },
    { minAge: 2, maxAge: 11, discountPercent: '50' },
  ],
  taxes: [{ code: 'CITY', name: 'Rome city tax', kind: 'PER_PERSON_PER_NIGHT', amount: '6.00' }],
  ...overrides,
});

const tour = (overrides: Record<string, unknown> = {}) => ({
  type: 'TOUR',
  supplierCode: 'SAFARI',
  code: 'TOUR-KE-7N',
  name: 'Masai Mara',
  destination: 'KE-MASAI-MARA',
  country: 'KE',
  currency: 'USD',
  minPax: 2,
  maxPax: 12,
  categories: [{ code: 'TENT', name: 'Tent', maxOccupancy: 2, standardOccupancy: 2 }],
  rates: [rate({ category: 'TENT', ratePlan: 'STD', basis: 'PER_PERSON', validFrom: '2027-05-01', validTo: '2027-09-30', weekdays: [6], amount: '2400.00' })],
  itinerary: [
    { day: 1, title: 'Nairobi' },
    { day: 2, title: 'Mara' },
  ],
  durationNights: 7,
  departures: [{ date: '2027-05-01' }, { date: '2027-05-08', status: 'GUARANTEED' }],
  guaranteedThreshold: 4,
  ...overrides,
});

const contract = (overrides: Record<string, unknown> = {}) => ({
  code: 'CT-ROM-2027',
  supplierCode: 'ACME',
  productCode: 'HOTEL-ROM-001',
  category: 'DBL',
  validFrom: '2027-04-01',
  validTo: '2027-06-30',
  quantity: 10,
  contractedPrice: '95.00',
  currency: 'EUR',
  basis: 'PER_ROOM_PER_NIGHT',
  release: { kind: 'DAYS_BEFORE', days: 21 },
  minGroupSize: 1,
  maxGroupSize: 4,
  ...overrides,
});

function problemsOf(result: { ok: true } | { ok: false; problems: { path: string; message: string }[] }) {
  if (result.ok) throw new Error('expected problems, got a valid value');
  return result.problems;
}

describe('suppliers', () => {
  it('accepts a valid supplier, normalising the IBAN and BIC and filling defaults', () => {
    const s = parseSupplier(supplier({ bic: 'deut de ff' }));
    expect(s.iban).toBe('DE89370400440532013000');
    expect(s.bic).toBe('DEUTDEFF');
    expect(s.active).toBe(true);
    expect(s.contacts).toEqual([]);
    expect(s.amendmentPolicy).toEqual({ windows: [] });
    expect(s.cancellationPolicy.windows[0]!.nonRefundable).toBe(false);
  });

  it.each([
    ['DE', 'DE89 3704 0044 0532 0130 00', 'DE89370400440532013000'],
    ['GB', 'gb82 west 1234 5698 7654 32', 'GB82WEST12345698765432'],
  ])('accepts a valid %s IBAN', (_, iban, stored) => {
    expect(parseSupplier(supplier({ iban })).iban).toBe(stored);
  });

  it.each([
    ['bad IBAN checksum', { iban: 'DE89370400440532013001' }, 'iban', /checksum/],
    ['IBAN of the wrong length', { iban: 'GB82WEST1234569876543' }, 'iban', /21 characters; a GB IBAN has 22/],
    ['unknown currency', { invoiceCurrency: 'EUX' }, 'invoiceCurrency', /not an ISO 4217 currency/],
    ['bad BIC', { bic: 'DEUT' }, 'bic', /not a valid BIC/],
    ['deposit above 100 %', { paymentTerms: { depositPercent: '120', balanceDueDaysBeforeTravel: 30, netDaysAfterInvoice: 30 } }, 'paymentTerms.depositPercent', /at most 100/],
    ['bank transfer without bank details', { iban: undefined }, 'iban', /required .* BANK_TRANSFER/],
    ['unknown field', { ibanCode: 'x' }, 'ibanCode', /not a known field/],
  ])('refuses %s', (_, overrides, path, message) => {
    const problems = problemsOf(checkSupplier(supplier(overrides)));
    expect(problems).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it('refuses bad policy windows, each with its path', () => {
    const problems = problemsOf(
      checkSupplier(
        supplier({
          cancellationPolicy: {
            windows: [
              { fromDaysBefore: 60, toDaysBefore: 20, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '150' },
              { fromDaysBefore: 30, toDaysBefore: 0, basis: 'FIXED', scope: 'PER_PERSON', amount: '-10' },
              { fromDaysBefore: 5, toDaysBefore: 10, basis: 'FIXED', scope: 'PER_BOOKING', amount: '10.001', currency: 'EUR' },
            ],
          },
        }),
      ),
    );
    expect(problems).toEqual([
      { path: 'cancellationPolicy.windows[0].amount', message: 'must be at most 100 (got "150")' },
      { path: 'cancellationPolicy.windows[1].amount', message: expect.stringMatching(/must not be negative/) },
      { path: 'cancellationPolicy.windows[1].currency', message: expect.stringMatching(/required for a FIXED window/) },
      { path: 'cancellationPolicy.windows[2].fromDaysBefore', message: expect.stringMatching(/at least toDaysBefore \(10\)/) },
      { path: 'cancellationPolicy.windows[2].amount', message: 'EUR has 2 decimal places; "10.001" has 3' },
      { path: 'cancellationPolicy.windows[1]', message: 'overlaps windows[0]: both cover 30..20 days before departure' },
    ]);
  });

  it('refuses a lower-case currency code (format and code both reported)', () => {
    expect(problemsOf(checkSupplier(supplier({ paymentCurrency: 'eur' })))).toEqual([
      { path: 'paymentCurrency', message: expect.stringMatching(/three upper-case letters/) },
      { path: 'paymentCurrency', message: 'is not an ISO 4217 currency code' },
    ]);
  });

  it('throws CatalogValidationError naming the supplier and every problem', () => {
    let error: unknown;
    try {
      parseSupplier(supplier({ iban: 'DE89370400440532013001', invoiceCurrency: 'ZZZ' }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CatalogValidationError);
    expect((error as CatalogValidationError).problems.map((p) => p.path)).toEqual(['iban', 'invoiceCurrency']);
    expect((error as Error).message).toMatch(/^2 problems in supplier ACME: iban: .*checksum.*; invoiceCurrency: /);
  });
});

describe('products', () => {
  it('accepts a valid hotel and a valid tour, filling defaults', () => {
    const h = parseProduct(hotel());
    expect(h.type).toBe('HOTEL');
    expect(h.rates[0]!.weekdays).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(h.active).toBe(true);
    const t = parseProduct(tour());
    expect(t.type === 'TOUR' && t.departures[0]!.status).toBe('SCHEDULED');
  });

  it.each([
    ['overlapping seasons', { rates: [rate(), rate({ validFrom: '2027-06-15', validTo: '2027-07-15' })] }, 'rates[1]', /overlaps rates\[0\]: both price category DBL, rate plan BAR on 2027-06-15..2027-06-30 \(every day\)/],
    ['overlapping seasons on shared weekdays only', { rates: [rate({ weekdays: [1, 2, 3, 4, 5] }), rate({ weekdays: [5, 6, 7], validFrom: '2027-06-01', validTo: '2027-07-31' })] }, 'rates[1]', /on 2027-06-04..2027-06-25 \(Fri\)/],
    ['negative price', { rates: [rate({ amount: '-120.00' })] }, 'rates[0].amount', /must not be negative/],
    ['negative single supplement', { rates: [rate({ singleSupplement: '-1' })] }, 'rates[0].singleSupplement', /must not be negative/],
    ['price as a JSON number', { rates: [rate({ amount: 120 })] }, 'rates[0].amount', /must be a string \(got number 120\)/],
    ['too many decimals for the currency', { currency: 'JPY', rates: [rate({ amount: '12000.50' })], taxes: [] }, 'rates[0].amount', /JPY has 0 decimal places/],
    ['unknown currency', { currency: 'ABC' }, 'currency', /not an ISO 4217 currency/],
    ['season ending before it starts', { rates: [rate({ validTo: '2027-03-01' })] }, 'rates[0].validTo', /must not be before validFrom 2027-04-01/],
    ['rate for an unknown category', { rates: [rate({ category: 'SGL' })] }, 'rates[0].category', /SGL is not a category of this product \(categories: DBL, TRP\)/],
    ['no weekdays', { rates: [rate({ weekdays: [] })] }, 'rates[0].weekdays', /at least one weekday/],
    ['weekday 8', { rates: [rate({ weekdays: [1, 8] })] }, 'rates[0].weekdays[1]', /1 \(Monday\) to 7 \(Sunday\)/],
    ['empty rate plan', { rates: [rate({ ratePlan: ' ' })] }, 'rates[0].ratePlan', /must not be empty/],
    ['maxPax below minPax', { minPax: 3, maxPax: 2 }, 'maxPax', /at least minPax \(3\)/],
    ['duplicate category', { categories: [{ code: 'DBL', name: 'Double', maxOccupancy: 2, standardOccupancy: 2 }, { code: 'DBL', name: 'Twin', maxOccupancy: 2, standardOccupancy: 2 }], rates: [rate()] }, 'categories[1].code', /repeats category DBL/],
    ['standard occupancy above max', { categories: [{ code: 'DBL', name: 'Double', maxOccupancy: 2, standardOccupancy: 3 }], rates: [rate()] }, 'categories[0].standardOccupancy', /must not exceed maxOccupancy/],
    ['overlapping child bands', { childBands: [{ minAge: 0, maxAge: 5, discountPercent: '100' }, { minAge: 4, maxAge: 11, discountPercent: '50' }] }, 'childBands[1]', /both cover ages 4..5/],
    ['child band over 17', { childBands: [{ minAge: 12, maxAge: 18, discountPercent: '10' }] }, 'childBands[0].maxAge', /at most 17/],
    ['duplicate tax', { taxes: [{ code: 'VAT', name: 'VAT', kind: 'PERCENT', amount: '10' }, { code: 'VAT', name: 'VAT 2', kind: 'PERCENT', amount: '5' }] }, 'taxes[1].code', /repeats tax VAT/],
    ['tax percent above 100', { taxes: [{ code: 'VAT', name: 'VAT', kind: 'PERCENT', amount: '110' }] }, 'taxes[0].amount', /at most 100/],
    ['unknown type', { type: 'CRUISE' }, 'type', /one of TOUR, HOTEL, GROUND_SERVICE, INSURANCE/],
    ['a field of another product type', { durationNights: 3 }, 'durationNights', /not a known field/],
  ])('refuses %s', (_, overrides, path, message) => {
    const problems = problemsOf(checkProduct(hotel(overrides)));
    expect(problems).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it('lists ALL problems at once: a product with 3 mistakes gives 3 problems with their paths', () => {
    const input = hotel({
      currency: 'EUX',
      rates: [rate(), rate({ amount: '-5.00' }), rate({ category: 'TRP', validFrom: '2027-07-01', validTo: '2027-06-01' })],
    });
    const problems = problemsOf(checkProduct(input));
    expect(problems.map((p) => p.path)).toEqual(['currency', 'rates[1].amount', 'rates[2].validTo', 'rates[1]']);
    // rates[1] both has a negative price and overlaps rates[0]: two distinct mistakes on one rate.
    expect(() => parseProduct(input)).toThrow(/^4 problems in product HOTEL-ROM-001: currency: .*; rates\[1\]\.amount: /);
  });

  it('still checks the common fields when the type is unknown', () => {
    const problems = problemsOf(checkProduct(hotel({ type: undefined, currency: 'EUX', rates: [rate({ amount: '-1' })] })));
    expect(problems.map((p) => p.path)).toEqual(['type', 'currency', 'rates[0].amount']);
    expect(problems[0]!.message).toMatch(/must have a type that is one of TOUR, HOTEL/);
  });

  it('refuses a product that is not an object', () => {
    expect(problemsOf(checkProduct('HOTEL'))).toEqual([{ path: '', message: 'must be an object (got string "HOTEL")' }]);
  });

  it.each([
    ['guaranteed threshold above maxPax', { guaranteedThreshold: 20 }, 'guaranteedThreshold', /must not exceed maxPax \(12\)/],
    ['duplicate departures', { departures: [{ date: '2027-05-01' }, { date: '2027-05-01' }] }, 'departures[1].date', /repeats departure 2027-05-01/],
    ['departure no rate covers', { departures: [{ date: '2027-05-02' }] }, 'departures[0]', /2027-05-02 has no rate for category TENT/],
    ['tour without rates', { rates: [] }, 'rates', /at least one rate/],
    ['itinerary skipping a day', { itinerary: [{ day: 1, title: 'a' }, { day: 3, title: 'c' }] }, 'itinerary', /skips day 2/],
    ['itinerary longer than the tour', { durationNights: 0 }, 'itinerary[1].day', /a 0-night tour has 1 days/],
  ])('tour: refuses %s', (_, overrides, path, message) => {
    expect(problemsOf(checkProduct(tour(overrides)))).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it('tour: a cancelled departure needs no rate', () => {
    expect(checkProduct(tour({ departures: [{ date: '2027-05-02', status: 'CANCELLED' }] })).ok).toBe(true);
  });

  it('insurance and ground services have their own fields', () => {
    const common = hotel({ rates: [], childBands: [], taxes: [] });
    const insurance = { ...common, type: 'INSURANCE', cover: 'Medical and cancellation', maxTripDays: 0 };
    expect(problemsOf(checkProduct(insurance))).toEqual([{ path: 'maxTripDays', message: 'must be at least 1' }]);
    expect(checkProduct({ ...common, type: 'GROUND_SERVICE', kind: 'TRANSFER', durationHours: 1.5 }).ok).toBe(true);
    expect(problemsOf(checkProduct({ ...common, type: 'GROUND_SERVICE', kind: 'BOAT' }))).toEqual([
      { path: 'kind', message: 'must be one of TRANSFER, EXCURSION, GUIDE, VEHICLE (got string "BOAT")' },
    ]);
  });
});

describe('allotment contracts', () => {
  it('accepts a valid contract', () => {
    expect(parseAllotmentContract(contract()).release).toEqual({ kind: 'DAYS_BEFORE', days: 21 });
  });

  it.each([
    [
      'a release date after arrival',
      { release: { kind: 'FIXED_DATES', dates: [{ releaseOn: '2027-05-25', arrivalsFrom: '2027-05-22', arrivalsTo: '2027-05-31' }] } },
      'release.dates[0].releaseOn',
      /release date 2027-05-25 is after the first arrival 2027-05-22 of its range/,
    ],
    [
      'a release date on the arrival date',
      { release: { kind: 'FIXED_DATES', dates: [{ releaseOn: '2027-05-22', arrivalsFrom: '2027-05-22', arrivalsTo: '2027-05-31' }] } },
      'release.dates[0].releaseOn',
      /is on the first arrival/,
    ],
    [
      'overlapping release ranges',
      {
        release: {
          kind: 'FIXED_DATES',
          dates: [
            { releaseOn: '2027-04-01', arrivalsFrom: '2027-05-01', arrivalsTo: '2027-05-31' },
            { releaseOn: '2027-04-15', arrivalsFrom: '2027-05-20', arrivalsTo: '2027-06-10' },
          ],
        },
      },
      'release.dates[1]',
      /overlaps release.dates\[0\]: arrivals 2027-05-20..2027-05-31/,
    ],
    [
      'arrivals outside the contract',
      { release: { kind: 'FIXED_DATES', dates: [{ releaseOn: '2027-03-01', arrivalsFrom: '2027-03-20', arrivalsTo: '2027-04-10' }] } },
      'release.dates[0].arrivalsFrom',
      /before the contract starts/,
    ],
    ['negative release days', { release: { kind: 'DAYS_BEFORE', days: -3 } }, 'release.days', /at least 0/],
    ['unknown release kind', { release: { kind: 'SOMETIMES' } }, 'release.kind', /one of NONE, DAYS_BEFORE, FIXED_DATES/],
    ['negative contracted price', { contractedPrice: '-1.00' }, 'contractedPrice', /must not be negative/],
    ['fractional quantity', { quantity: 2.5 }, 'quantity', /whole number/],
    ['span ending before it starts', { validTo: '2027-03-31' }, 'validTo', /must not be before validFrom/],
    ['max group below min', { minGroupSize: 4, maxGroupSize: 2 }, 'maxGroupSize', /at least minGroupSize \(4\)/],
    ['unknown currency', { currency: 'XYZ' }, 'currency', /not an ISO 4217 currency code/],
  ])('refuses %s', (_, overrides, path, message) => {
    expect(problemsOf(checkAllotmentContract(contract(overrides)))).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it('checks a contract against its product', () => {
    const h = parseProduct(hotel()) as Product;
    expect(checkContractAgainstProduct(parseAllotmentContract(contract()), h)).toEqual([]);
    // A contract in another currency than the product is fine.
    expect(checkContractAgainstProduct(parseAllotmentContract(contract({ currency: 'USD' })), h)).toEqual([]);
    const wrong: AllotmentContract = parseAllotmentContract(contract({ category: 'SUITE', productCode: 'OTHER', supplierCode: 'NOPE' }));
    expect(checkContractAgainstProduct(wrong, h).map((p) => p.path)).toEqual(['productCode', 'supplierCode', 'category']);

    const t = parseProduct(tour());
    const tourContract = parseAllotmentContract(contract({ supplierCode: 'SAFARI', productCode: 'TOUR-KE-7N', category: 'TENT', validFrom: '2027-05-01', validTo: '2027-05-09', basis: 'PER_PERSON' }));
    expect(checkContractAgainstProduct(tourContract, t)).toEqual([{ path: 'validTo', message: expect.stringMatching(/2027-05-09 is not a departure date of tour TOUR-KE-7N/) }]);
    expect(checkContractAgainstProduct({ ...tourContract, validTo: '2027-05-08' }, t)).toEqual([]);
  });
});

describe('stop sales and markup rules', () => {
  it('accepts valid ones with defaults', () => {
    expect(parseStopSale({ supplierCode: 'ACME', productCode: 'H1', from: '2027-08-10', to: '2027-08-15', reason: 'Renovation' }).category).toBeNull();
    expect(parseMarkupRule({ percent: '18.5' })).toEqual({ productType: null, channel: null, percent: '18.5' });
  });

  it('refuses bad ones with every problem', () => {
    expect(() => parseStopSale({ supplierCode: 'ACME', productCode: 'H1', from: '2027-08-10', to: '2027-08-01', reason: '' })).toThrow(
      /^2 problems in stop sale of H1: reason: must not be empty; to: must not be before from 2027-08-10/,
    );
    let error: CatalogValidationError | undefined;
    try {
      parseMarkupRule({ productType: 'CRUISE', channel: 'fax', percent: '1000' });
    } catch (e) {
      error = e as CatalogValidationError;
    }
    expect(error?.problems).toEqual([
      { path: 'productType', message: 'must be one of TOUR, HOTEL, GROUND_SERVICE, INSURANCE (got string "CRUISE")' },
      { path: 'channel', message: 'must be one of direct, agent, online, corporate (got string "fax")' },
      { path: 'percent', message: 'must be less than 1000 (got "1000")' },
    ]);
  });

  it('turns paths into JSON Pointers for RFC 9457 errors', () => {
    expect(pathToPointer('rates[3].validTo')).toBe('/rates/3/validTo');
    expect(pathToPointer('')).toBe('/');
  });
});
