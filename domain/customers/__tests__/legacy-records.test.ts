import {
  checkLegacyAdvisor,
  checkLegacyConsent,
  checkLegacyCustomer,
  checkLegacyLoyalty,
  checkLegacyPassport,
  checkLegacyTrip,
  containsCardNumber,
  maskCardNumbers,
  parseLegacyDate,
} from '../legacy-records';
import type { CheckContext, RowIssue } from '../model';

const ctx: CheckContext = { today: '2026-06-01', dayFirst: true, system: 'acme' };
const raw = (fields: Record<string, string>, row = 7) => ({ row, fields });
const codes = (issues: RowIssue[]) => issues.map((i) => `${i.severity}:${i.field ?? ''}:${i.code}`);
const CARD = '4111 1111 1111 1111';

describe('parseLegacyDate', () => {
  it.each([
    ['2004-05-01', true, '2004-05-01'],
    ['2004-5-1', true, '2004-05-01'],
    ['2004-05-01T10:00:00Z', true, '2004-05-01'],
    ['01/05/2004', true, '2004-05-01'],
    ['01/05/2004', false, '2004-01-05'],
    ['1.5.2004', false, '2004-05-01'],
    ['20040501', true, '2004-05-01'],
    ['29/02/2004', true, '2004-02-29'],
  ])('reads %p (dayFirst %p) as %p', (s, dayFirst, expected) => expect(parseLegacyDate(s, dayFirst)).toBe(expected));

  it.each(['31/02/2004', '29/02/2005', '2004-13-01', '13/13/2004', 'May 1st 2004', '', '04/05/04', '20041301'])('refuses %p', (s) => expect(parseLegacyDate(s, true)).toBeNull());
});

describe('card numbers', () => {
  it('finds Luhn-valid 13–19 digit runs, with spaces or dashes inside', () => {
    expect(containsCardNumber(CARD)).toBe(true);
    expect(containsCardNumber('paid with 4111-1111-1111-1111 last year')).toBe(true);
    expect(containsCardNumber('4111111111111112')).toBe(false); // fails Luhn
    expect(containsCardNumber('tok_4111abc')).toBe(false);
    expect(containsCardNumber('call 020 7946 0000')).toBe(false);
  });

  it('masks them to the last four digits', () => {
    expect(maskCardNumbers(`card ${CARD}, ref 123`)).toBe('card **** **** **** 1111, ref 123');
  });
});

describe('checkLegacyAdvisor', () => {
  it('reads an advisor', () => {
    expect(checkLegacyAdvisor(raw({ advisor_id: 'A1', name: 'Ann Lee', email: 'Ann@Agency.com', branch: 'Leeds', active: 'N' }), ctx)).toEqual({
      value: { advisorId: 'A1', name: 'Ann Lee', email: 'ann@agency.com', branch: 'Leeds', active: false },
      issues: [],
    });
  });

  it('refuses a missing name and warns about a bad email or active flag', () => {
    expect(codes(checkLegacyAdvisor(raw({ advisor_id: 'A1', name: '' }), ctx).issues)).toEqual(['ERROR:name:missing-field']);
    const c = checkLegacyAdvisor(raw({ advisor_id: 'A1', name: 'Ann', email: 'ann@', active: 'maybe' }), ctx);
    expect(c.value).toMatchObject({ active: true });
    expect(c.value?.email).toBeUndefined();
    expect(codes(c.issues)).toEqual(['WARNING:email:bad-email', 'WARNING:active:bad-boolean']);
  });
});

describe('checkLegacyCustomer', () => {
  const full = {
    customer_id: 'C001',
    title: 'Mrs',
    first_name: 'Margaret',
    last_name: 'Thompson',
    date_of_birth: '02/03/1961',
    email: ' M.Thompson@Example.com ',
    email_2: 'm.thompson@example.com',
    phone: '020 7946 0000',
    mobile: '+1 212 555 0100',
    work_phone: '0207 946 0000',
    address_line1: '1 High Street',
    city: 'London',
    postal_code: 'SW1A 1AA',
    country: 'United Kingdom',
    advisor_id: 'A1',
    household_id: 'H9',
    created_on: '2003-01-15',
    cabin_class: 'premium economy',
    seat: 'aisle',
    dietary: 'vegetarian; nut allergy;vegetarian',
    preferred_airlines: 'ba;lh',
    anniversaries: 'WEDDING:06-14;birthday:1961-03-02',
    notes: 'Prefers morning flights',
    preferred_channel: 'email',
    language: 'en_GB',
    do_not_contact: 'no',
    loyalty_tier: 'Gold',
    loyalty_balance: '1200',
    currency: 'gbp',
    credit_limit: '5000',
    outstanding_balance: '-12.5',
    card_token: 'tok_9f8e7d',
    card_brand: 'VISA',
    card_last4: '4242',
    card_expiry: '09/28',
  };

  it('reads every column into the model', () => {
    const c = checkLegacyCustomer(raw(full), ctx);
    expect(c.issues).toEqual([]);
    expect(c.value).toEqual({
      legacyId: 'C001',
      row: 7,
      title: 'Mrs',
      firstName: 'Margaret',
      lastName: 'Thompson',
      dateOfBirth: '1961-03-02',
      emails: [{ address: 'M.Thompson@Example.com', normalized: 'm.thompson@example.com', primary: true }],
      phones: [
        { raw: '020 7946 0000', e164: '+442079460000', kind: 'HOME', primary: true },
        { raw: '+1 212 555 0100', e164: '+12125550100', kind: 'MOBILE', primary: false },
      ],
      address: { kind: 'HOME', line1: '1 High Street', city: 'London', postalCode: 'SW1A 1AA', country: 'GB' },
      advisorId: 'A1',
      householdId: 'H9',
      createdOn: '2003-01-15',
      preferences: {
        cabinClass: 'PREMIUM_ECONOMY',
        seat: 'AISLE',
        dietary: ['vegetarian', 'nut allergy'],
        preferredAirlines: ['BA', 'LH'],
        anniversaries: [
          { kind: 'WEDDING', date: '06-14' },
          { kind: 'BIRTHDAY', date: '1961-03-02' },
        ],
        notes: 'Prefers morning flights',
      },
      contactPreferences: { preferredChannel: 'EMAIL', language: 'en-GB', doNotContact: false },
      loyaltyTier: 'Gold',
      loyaltyBalance: 1200,
      financial: { currency: 'GBP', creditLimit: '5000.00', outstandingBalance: '-12.50' },
      paymentMethods: [{ token: 'tok_9f8e7d', brand: 'VISA', last4: '4242', expiry: '2028-09' }],
    });
  });

  it('reads national phone numbers in the address country', () => {
    const c = checkLegacyCustomer(raw({ customer_id: 'C2', last_name: 'Weber', country: 'DE', address_line1: 'Hauptstr. 1', city: 'Berlin', phone: '030 901820' }), ctx);
    expect(c.value?.phones.map((p) => p.e164)).toEqual(['+4930901820']);
  });

  it.each([
    [{ customer_id: '' }, 'ERROR:customer_id:missing-field'],
    [{ last_name: '  ' }, 'ERROR:last_name:missing-field'],
    [{ date_of_birth: '31/02/1970' }, 'ERROR:date_of_birth:bad-date'],
    [{ date_of_birth: 'sometime' }, 'ERROR:date_of_birth:bad-date'],
    [{ date_of_birth: '2027-01-01' }, 'ERROR:date_of_birth:impossible-birth-date'],
    [{ date_of_birth: '1900-01-01' }, 'ERROR:date_of_birth:impossible-birth-date'],
    [{ outstanding_balance: '10', currency: '' }, 'ERROR:currency:missing-currency'],
    [{ currency: 'XYZ' }, 'ERROR:currency:bad-currency'],
    [{ credit_limit: '1,000' }, 'ERROR:credit_limit:bad-amount'],
    [{ credit_limit: '10.005' }, 'ERROR:credit_limit:bad-amount'],
  ])('refuses the record for %p', (change, code) => {
    const c = checkLegacyCustomer(raw({ ...full, ...change }), ctx);
    expect(c.value).toBeUndefined();
    expect(codes(c.issues)).toContain(code);
    for (const i of c.issues) expect(i).toMatchObject({ file: 'customers', row: 7 });
  });

  it('names the field and the bad value in messages', () => {
    const [issue] = checkLegacyCustomer(raw({ ...full, date_of_birth: '31/02/1970' }), ctx).issues;
    expect(issue?.message).toContain('date_of_birth "31/02/1970"');
  });

  it.each([
    [{ email: 'not-an-email' }, 'WARNING:email:bad-email'],
    [{ email_2: 'x@' }, 'WARNING:email_2:bad-email'],
    [{ mobile: '12345' }, 'WARNING:mobile:bad-phone'],
    // The model needs an address country: an unknown one drops the address too (reported).
    [{ country: 'Atlantis' }, 'WARNING:country:unknown-country', 'WARNING:country:incomplete-address'],
    [{ city: '' }, 'WARNING:city:incomplete-address'],
    [{ created_on: '2003-02-30' }, 'WARNING:created_on:bad-date'],
    [{ cabin_class: 'steerage' }, 'WARNING:cabin_class:unknown-value'],
    [{ seat: 'wing' }, 'WARNING:seat:unknown-value'],
    [{ preferred_airlines: 'BA;British Airways' }, 'WARNING:preferred_airlines:unknown-value'],
    [{ anniversaries: 'WEDDING:14/06' }, 'WARNING:anniversaries:bad-anniversary'],
    [{ preferred_channel: 'pigeon' }, 'WARNING:preferred_channel:unknown-value'],
    [{ language: 'english!!' }, 'WARNING:language:unknown-value'],
    [{ loyalty_balance: '12.5' }, 'WARNING:loyalty_balance:bad-number'],
    [{ card_last4: '42' }, 'WARNING:card_last4:bad-card-detail'],
    [{ card_expiry: '13/28' }, 'WARNING:card_expiry:bad-card-detail'],
    [{ card_token: '' }, 'WARNING:card_token:missing-token'],
  ])('loads the record with a warning for %p', (change, ...expected) => {
    const c = checkLegacyCustomer(raw({ ...full, ...change }), ctx);
    expect(c.value).toBeDefined();
    expect(codes(c.issues)).toEqual(expected);
  });

  it('reads an unreadable do_not_contact as do-not-contact', () => {
    const c = checkLegacyCustomer(raw({ ...full, do_not_contact: 'perhaps' }), ctx);
    expect(c.value?.contactPreferences.doNotContact).toBe(true);
    expect(codes(c.issues)).toEqual(['WARNING:do_not_contact:bad-boolean']);
  });

  it('never stores or echoes a card number given as the token', () => {
    const c = checkLegacyCustomer(raw({ ...full, card_token: CARD }), ctx);
    expect(c.value?.paymentMethods).toEqual([]);
    expect(c.issues).toEqual([
      {
        file: 'customers',
        row: 7,
        field: 'card_token',
        code: 'card-number',
        severity: 'WARNING',
        message: 'card_token looks like a card number; only gateway tokens are kept — the value was not stored',
      },
    ]);
    expect(JSON.stringify(c)).not.toMatch(/4111/);
  });

  it('masks a card number in the notes', () => {
    const c = checkLegacyCustomer(raw({ ...full, notes: `Card ${CARD.replace(/ /g, '-')} on file` }), ctx);
    expect(c.value?.preferences.notes).toBe('Card **** **** **** 1111 on file');
    expect(codes(c.issues)).toEqual(['WARNING:notes:card-number']);
    expect(JSON.stringify(c.issues)).not.toMatch(/4111/);
  });

  it('reports every problem of a record, not just the first', () => {
    const c = checkLegacyCustomer(raw({ customer_id: 'C9', last_name: '', date_of_birth: '2099-01-01', email: 'bad' }), ctx);
    expect(codes(c.issues)).toEqual(['ERROR:last_name:missing-field', 'ERROR:date_of_birth:impossible-birth-date', 'WARNING:email:bad-email']);
  });

  it('reads MM/DD dates when dayFirst is false', () => {
    expect(checkLegacyCustomer(raw({ customer_id: 'C3', last_name: 'Doe', date_of_birth: '03/02/1961' }), { ...ctx, dayFirst: false }).value?.dateOfBirth).toBe('1961-03-02');
  });
});

describe('checkLegacyPassport', () => {
  const p = { customer_id: 'C001', number: 'ab 123456', country: 'GBR', expires_on: '2030-01-31', issued_on: '2020-01-31' };

  it('reads a passport', () => {
    expect(checkLegacyPassport(raw(p), ctx)).toEqual({
      value: { legacyCustomerId: 'C001', row: 7, number: 'ab 123456', normalizedNumber: 'AB123456', country: 'GB', issuedOn: '2020-01-31', expiresOn: '2030-01-31' },
      issues: [],
    });
  });

  it('loads an expired passport with a warning', () => {
    const c = checkLegacyPassport(raw({ ...p, expires_on: '2026-05-31' }), ctx);
    expect(c.value?.expiresOn).toBe('2026-05-31');
    expect(codes(c.issues)).toEqual(['WARNING:expires_on:expired-passport']);
  });

  it.each([
    [{ number: '' }, 'ERROR:number:missing-field'],
    [{ number: '--' }, 'ERROR:number:bad-passport-number'],
    [{ country: 'Narnia' }, 'ERROR:country:unknown-country'],
    [{ expires_on: '2030-02-30' }, 'ERROR:expires_on:bad-date'],
    [{ issued_on: '2031-01-01' }, 'ERROR:issued_on:reversed-dates'],
  ])('refuses %p', (change, code) => {
    const c = checkLegacyPassport(raw({ ...p, ...change }), ctx);
    expect(c.value).toBeUndefined();
    expect(codes(c.issues)).toEqual([code]);
  });
});

describe('checkLegacyTrip', () => {
  const t = {
    trip_id: 'T1',
    customer_id: 'C001',
    booking_reference: 'REF2004',
    start_date: '2004-02-10',
    end_date: '17/02/2004',
    value: '3450.5',
    currency: 'usd',
    destinations: 'Barbados;St Lucia',
    products: 'Caribbean cruise',
    components: JSON.stringify([{ type: 'cruise', supplier: 'Royal Line', serviceClass: 'Balcony' }, { type: 'FLIGHT', description: 'LGW-BGI' }]),
  };

  it('reads a trip with exact money and defaults', () => {
    expect(checkLegacyTrip(raw(t), ctx)).toEqual({
      value: {
        legacyCustomerId: 'C001',
        row: 7,
        sourceKey: 'legacy:acme:trip:T1',
        reference: 'REF2004',
        startDate: '2004-02-10',
        endDate: '2004-02-17',
        destinations: ['Barbados', 'St Lucia'],
        products: ['Caribbean cruise'],
        pax: 1,
        value: { amount: '3450.50', currency: 'USD' },
        paymentStatus: 'PAID',
        components: [
          { type: 'CRUISE', supplier: 'Royal Line', serviceClass: 'Balcony' },
          { type: 'FLIGHT', description: 'LGW-BGI' },
        ],
      },
      issues: [],
    });
  });

  it('keeps every digit of a large amount', () => {
    expect(checkLegacyTrip(raw({ ...t, value: '12345678901234.99', currency: 'EUR' }), ctx).value?.value).toEqual({ amount: '12345678901234.99', currency: 'EUR' });
  });

  it.each([
    [{ end_date: '2004-02-09' }, 'ERROR:end_date:reversed-dates'],
    [{ start_date: '' }, 'ERROR:start_date:missing-field'],
    [{ start_date: '2004-02-31' }, 'ERROR:start_date:bad-date'],
    [{ currency: '' }, 'ERROR:currency:missing-field'],
    [{ currency: 'DOLLARS' }, 'ERROR:currency:bad-currency'],
    [{ value: '3,450.50' }, 'ERROR:value:bad-amount'],
    [{ value: '-10' }, 'ERROR:value:bad-amount'],
    [{ value: '100', currency: 'JPY', pax: '0' }, 'ERROR:pax:bad-number'],
    [{ pax: '2.5' }, 'ERROR:pax:bad-number'],
    [{ payment_status: 'lost' }, 'ERROR:payment_status:unknown-value'],
  ])('refuses %p', (change, code) => {
    const c = checkLegacyTrip(raw({ ...t, ...change }), ctx);
    expect(c.value).toBeUndefined();
    expect(codes(c.issues)).toEqual([code]);
  });

  it('loads the trip without components when they are not valid JSON', () => {
    const c = checkLegacyTrip(raw({ ...t, components: '[{type: cruise' }), ctx);
    expect(c.value?.components).toBeUndefined();
    expect(codes(c.issues)).toEqual(['WARNING:components:bad-json']);
  });

  it('drops a component without a type, with a warning', () => {
    const c = checkLegacyTrip(raw({ ...t, components: '[{"supplier":"X"},{"type":"hotel"}]', payment_status: 'part paid', pax: '2' }), ctx);
    expect(c.value).toMatchObject({ components: [{ type: 'HOTEL' }], paymentStatus: 'PARTIALLY_PAID', pax: 2 });
    expect(codes(c.issues)).toEqual(['WARNING:components:bad-component']);
  });
});

describe('checkLegacyLoyalty', () => {
  const l = { transaction_id: 'L1', customer_id: 'C001', date: '2015-06-01', points: '-500' };

  it('defaults the kind from the sign', () => {
    expect(checkLegacyLoyalty(raw(l), ctx).value).toEqual({ legacyCustomerId: 'C001', row: 7, sourceKey: 'legacy:acme:loyalty:L1', occurredOn: '2015-06-01', points: -500, kind: 'REDEEM' });
    expect(checkLegacyLoyalty(raw({ ...l, points: '+250', booking_reference: 'REF1' }), ctx).value).toMatchObject({ points: 250, kind: 'EARN', tripReference: 'REF1' });
  });

  it.each([
    [{ points: '12.5' }, 'ERROR:points:bad-number'],
    [{ points: '' }, 'ERROR:points:missing-field'],
    [{ date: '2015-13-01' }, 'ERROR:date:bad-date'],
    [{ transaction_id: '' }, 'ERROR:transaction_id:missing-field'],
  ])('refuses %p', (change, code) => {
    const c = checkLegacyLoyalty(raw({ ...l, ...change }), ctx);
    expect(c.value).toBeUndefined();
    expect(codes(c.issues)).toEqual([code]);
  });

  it('warns about an unknown kind or a sign that contradicts it', () => {
    expect(codes(checkLegacyLoyalty(raw({ ...l, kind: 'bonus' }), ctx).issues)).toEqual(['WARNING:kind:unknown-value']);
    expect(codes(checkLegacyLoyalty(raw({ ...l, kind: 'earn' }), ctx).issues)).toEqual(['WARNING:points:points-sign']);
  });
});

describe('checkLegacyConsent', () => {
  const c = { customer_id: 'C001', purpose: 'marketing email', granted: 'Y', date: '01.02.2010', source: 'web form' };

  it('reads a consent with a stable source key', () => {
    expect(checkLegacyConsent(raw(c), ctx)).toEqual({
      value: { legacyCustomerId: 'C001', row: 7, sourceKey: 'legacy:acme:consent:C001:MARKETING_EMAIL:2010-02-01:in', purpose: 'MARKETING_EMAIL', granted: true, recordedOn: '2010-02-01', source: 'web form' },
      issues: [],
    });
    expect(checkLegacyConsent(raw({ ...c, purpose: 'sms', granted: 'false', source: '' }), ctx).value).toMatchObject({
      sourceKey: 'legacy:acme:consent:C001:MARKETING_SMS:2010-02-01:out',
      granted: false,
      source: 'legacy import',
    });
  });

  it.each([
    [{ purpose: 'newsletters' }, 'ERROR:purpose:unknown-value'],
    [{ granted: 'maybe' }, 'ERROR:granted:bad-boolean'],
    [{ granted: '' }, 'ERROR:granted:missing-field'],
    [{ date: '2010/02/01' }, 'ERROR:date:bad-date'],
  ])('refuses %p', (change, code) => {
    const r = checkLegacyConsent(raw({ ...c, ...change }), ctx);
    expect(r.value).toBeUndefined();
    expect(codes(r.issues)).toEqual([code]);
  });
});
