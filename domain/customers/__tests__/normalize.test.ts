import fc from 'fast-check';
import { countryAlpha2, nameKey, normalizeEmail, normalizePassportNumber, normalizePhone, searchNameOf } from '../normalize';

describe('normalizeEmail', () => {
  it('trims and lower-cases a plausible address', () => {
    expect(normalizeEmail('  John.Smith@Example.CO.UK ')).toBe('john.smith@example.co.uk');
    expect(normalizeEmail('a+tag@mail.example.com')).toBe('a+tag@mail.example.com');
  });

  it.each(['', 'n/a', 'john@', '@example.com', 'john@example', 'john smith@example.com', 'john@@example.com', 'john..smith@example.com', 'john@-example.com'])(
    'refuses %p',
    (s) => expect(normalizeEmail(s)).toBeNull(),
  );

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.emailAddress(), fc.string()), (s) => {
        const once = normalizeEmail(s);
        return once === null || normalizeEmail(once) === once;
      }),
      { numRuns: 300 },
    );
  });
});

describe('normalizePhone', () => {
  it('gives E.164 for national numbers in the default country and international ones anywhere', () => {
    expect(normalizePhone('020 7946 0000')).toBe('+442079460000');
    expect(normalizePhone('0044 20 7946 0000', 'GB')).toBe('+442079460000');
    expect(normalizePhone('+44 (0)20 7946 0000', 'US')).toBe('+442079460000');
    expect(normalizePhone('(212) 555-0199', 'US')).toBe('+12125550199');
    expect(normalizePhone('030 901820', 'de')).toBe('+4930901820');
  });

  it.each([['12345'], ['not a number'], [''], ['+99 123']])('refuses %p', (s) => expect(normalizePhone(s)).toBeNull());

  it('refuses an unknown default country instead of throwing', () => {
    expect(normalizePhone('020 7946 0000', 'XX')).toBeNull();
  });

  it('is idempotent on its own output', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?[0-9 ()-]{6,16}$/), fc.constantFrom('GB', 'US', 'DE', 'FR'), (s, country) => {
        const once = normalizePhone(s, country);
        return once === null || normalizePhone(once, country) === once;
      }),
      { numRuns: 300 },
    );
  });
});

describe('nameKey and searchNameOf', () => {
  it('strips diacritics and folds the letters NFD leaves alone', () => {
    expect(nameKey('Müller')).toBe('muller');
    expect(nameKey('Straße')).toBe('strasse');
    expect(nameKey('Søren Ærø')).toBe('soren aero');
    expect(nameKey('Łukasz Wałęsa')).toBe('lukasz walesa');
    expect(nameKey('José-María  García')).toBe('jose maria garcia');
    expect(nameKey("O'Brien")).toBe('obrien');
    expect(nameKey('  SMITH,  John. ')).toBe('smith john');
    expect(nameKey('Ǣlfric İpek ﬁnn')).toBe('aelfric ipek finn');
  });

  it('builds the "last first" search key', () => {
    expect(searchNameOf('Jürgen', 'Groß')).toBe('gross jurgen');
    expect(searchNameOf(undefined, 'Smith')).toBe('smith');
    expect(searchNameOf(null, 'Smith')).toBe('smith');
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => nameKey(nameKey(s)) === nameKey(s)),
      { numRuns: 1000 },
    );
  });
});

describe('normalizePassportNumber', () => {
  it('keeps upper-case letters and digits only, idempotently', () => {
    expect(normalizePassportNumber(' ab 123-456 c ')).toBe('AB123456C');
    fc.assert(fc.property(fc.string(), (s) => normalizePassportNumber(normalizePassportNumber(s)) === normalizePassportNumber(s)), { numRuns: 200 });
  });
});

describe('countryAlpha2', () => {
  it.each([
    ['GB', 'GB'],
    ['gb', 'GB'],
    ['GBR', 'GB'],
    ['deu', 'DE'],
    ['Germany', 'DE'],
    ['united states of america', 'US'],
    ['UK', 'GB'],
    ['England', 'GB'],
  ])('reads %p as %p', (s, expected) => expect(countryAlpha2(s)).toBe(expected));

  it.each(['', 'XX', 'ZZZ', 'Atlantis'])('refuses %p', (s) => expect(countryAlpha2(s)).toBeNull());
});
