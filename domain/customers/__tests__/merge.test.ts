import { mergeCustomers } from '../merge';
import type { LegacyCustomer } from '../model';

const customer = (legacyId: string, c: Partial<LegacyCustomer> = {}): LegacyCustomer => ({
  legacyId,
  row: 2,
  lastName: 'Smith',
  emails: [],
  phones: [],
  preferences: { dietary: [], preferredAirlines: [], anniversaries: [] },
  contactPreferences: { doNotContact: false },
  paymentMethods: [],
  ...c,
});
const email = (address: string, primary: boolean) => ({ address, normalized: address.toLowerCase(), primary });
const phone = (e164: string, primary: boolean) => ({ raw: e164, e164, kind: 'MOBILE' as const, primary });

describe('mergeCustomers', () => {
  const survivor = customer('C1', {
    firstName: 'John',
    emails: [email('john@x.com', true)],
    phones: [phone('+442079460000', true)],
    createdOn: '2010-01-01',
    preferences: { cabinClass: 'BUSINESS', dietary: ['vegetarian'], preferredAirlines: ['BA'], anniversaries: [{ kind: 'WEDDING', date: '06-14' }] },
    loyaltyTier: 'Silver',
    loyaltyBalance: 100,
    financial: { currency: 'GBP', outstandingBalance: '10.50' },
    paymentMethods: [{ token: 'tok_1' }],
  });
  const older = customer('C2', {
    firstName: 'Jon',
    title: 'Mr',
    dateOfBirth: '1961-03-02',
    emails: [email('JOHN@x.com', true), email('js@work.com', false)],
    phones: [phone('+442079460000', true), phone('+12125550100', false)],
    address: { kind: 'HOME', line1: '1 High St', city: 'London', country: 'GB' },
    createdOn: '2003-05-05',
    preferences: { cabinClass: 'ECONOMY', seat: 'AISLE', dietary: ['Vegetarian', 'nut allergy'], preferredAirlines: ['BA', 'LH'], anniversaries: [{ kind: 'WEDDING', date: '06-14' }, { kind: 'BIRTHDAY', date: '03-02' }] },
    contactPreferences: { doNotContact: true, language: 'en-GB' },
    loyaltyTier: 'GOLD',
    loyaltyBalance: 250,
    financial: { currency: 'GBP', creditLimit: '1000.00', outstandingBalance: '4.50' },
    paymentMethods: [{ token: 'tok_1' }, { token: 'tok_2', last4: '4242' }],
  });

  it('keeps the survivor values, fills the gaps, unites lists and audits every field taken', () => {
    const { customer: merged, fieldsTaken, notes } = mergeCustomers([survivor, older], 'C1');
    expect(merged).toEqual({
      legacyId: 'C1',
      row: 2,
      title: 'Mr',
      firstName: 'John',
      lastName: 'Smith',
      dateOfBirth: '1961-03-02',
      emails: [email('john@x.com', true), email('js@work.com', false)],
      phones: [phone('+442079460000', true), phone('+12125550100', false)],
      address: { kind: 'HOME', line1: '1 High St', city: 'London', country: 'GB' },
      createdOn: '2003-05-05',
      preferences: {
        cabinClass: 'BUSINESS',
        seat: 'AISLE',
        dietary: ['vegetarian', 'nut allergy'],
        preferredAirlines: ['BA', 'LH'],
        anniversaries: [
          { kind: 'WEDDING', date: '06-14' },
          { kind: 'BIRTHDAY', date: '03-02' },
        ],
      },
      contactPreferences: { language: 'en-GB', doNotContact: true },
      loyaltyTier: 'GOLD',
      loyaltyBalance: 350,
      financial: { currency: 'GBP', creditLimit: '1000.00', outstandingBalance: '15.00' },
      paymentMethods: [{ token: 'tok_1' }, { token: 'tok_2', last4: '4242' }],
    });
    expect(notes).toEqual([]);
    expect(fieldsTaken.map((f) => f.field).sort()).toEqual(
      [
        'emails', 'phones', 'paymentMethods', 'createdOn', 'contactPreferences.doNotContact', 'loyaltyTier', 'loyaltyBalance',
        'financial.outstandingBalance', 'financial.creditLimit', 'title', 'dateOfBirth', 'address', 'preferences.seat',
        'contactPreferences.language', 'preferences.dietary', 'preferences.preferredAirlines', 'preferences.anniversaries',
      ].sort(),
    );
    expect(new Set(fieldsTaken.map((f) => f.fromLegacyId))).toEqual(new Set(['C2']));
  });

  it('takes nothing from others when the survivor has everything, and audits nothing', () => {
    const { customer: merged, fieldsTaken } = mergeCustomers([survivor, customer('C3', { firstName: 'J' })], 'C1');
    expect(merged).toEqual(survivor);
    expect(fieldsTaken).toEqual([]);
  });

  it('keeps one primary email and phone: the first one flagged primary', () => {
    const a = customer('A', { emails: [email('a@x.com', false)] });
    const b = customer('B', { emails: [email('b@x.com', true)], phones: [phone('+12125550100', true)] });
    const { customer: merged } = mergeCustomers([a, b], 'A');
    expect(merged.emails.map((e) => [e.normalized, e.primary])).toEqual([
      ['a@x.com', false],
      ['b@x.com', true],
    ]);
    expect(mergeCustomers([customer('A', { emails: [email('a@x.com', true)] }), b], 'A').customer.emails.map((e) => e.primary)).toEqual([true, false]);
    expect(merged.phones.filter((p) => p.primary)).toHaveLength(1);
  });

  it('keeps the survivor tier when a tier is not recognisable, and fills from the first other member that has one', () => {
    expect(mergeCustomers([customer('A', { loyaltyTier: 'Club Europe' }), customer('B', { loyaltyTier: 'PLATINUM' })], 'A').customer.loyaltyTier).toBe('Club Europe');
    const filled = mergeCustomers([customer('A'), customer('B', { loyaltyTier: 'Club Europe' }), customer('C', { loyaltyTier: 'Other' })], 'A');
    expect(filled.customer.loyaltyTier).toBe('Club Europe');
    expect(filled.fieldsTaken).toEqual([{ field: 'loyaltyTier', fromLegacyId: 'B' }]);
  });

  it('does not add balances in different currencies: the survivor keeps its own and a note says why', () => {
    const { customer: merged, notes } = mergeCustomers(
      [customer('A', { financial: { currency: 'GBP', outstandingBalance: '10.00' } }), customer('B', { financial: { currency: 'USD', outstandingBalance: '20.00' } })],
      'A',
    );
    expect(merged.financial).toEqual({ currency: 'GBP', outstandingBalance: '10.00' });
    expect(notes).toEqual(['Outstanding balance 20.00 USD of legacy customer B was not combined with the GBP balance (different currency).']);
    expect(merged.preferences.notes).toBe(notes[0]);
  });

  it('sums exactly, in the currency exponent', () => {
    const members = ['0.10', '0.20', '1000000000000.01'].map((b, i) => customer(`C${i}`, { financial: { currency: 'KWD', outstandingBalance: b } }));
    expect(mergeCustomers(members, 'C0').customer.financial?.outstandingBalance).toBe('1000000000000.310');
  });

  it('refuses a survivor that is not a member', () => {
    expect(() => mergeCustomers([customer('A')], 'Z')).toThrow(/survivor Z is not one of the members \(A\)/);
  });
});
