/**
 * Normal forms of the values customers are searched and de-duplicated by: emails, phone numbers,
 * names, passport numbers and countries. Pure; each function is idempotent on its own output.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import countries from 'i18n-iso-countries';
import en from 'i18n-iso-countries/langs/en.json';

countries.registerLocale(en);

// local@domain.tld: no spaces, one @, a dotted domain of letters/digits/hyphens ending in a 2+ letter TLD.
const EMAIL = /^[^\s@"(),:;<>[\\\]]{1,64}@(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{2,59})$/;

/** Trimmed and lower-cased, or null when it is not a plausible address ("john@", "n/a"). */
export function normalizeEmail(s: string): string | null {
  const e = s.trim().toLowerCase();
  if (!EMAIL.test(e) || e.startsWith('.') || e.includes('..') || e.split('@')[0]!.endsWith('.')) return null;
  return e;
}

/**
 * E.164 ("+442079460000"), or null when libphonenumber-js does not find a valid number. A number
 * without an international prefix is read in `defaultCountry` (ISO alpha-2, default GB).
 */
export function normalizePhone(raw: string, defaultCountry = 'GB'): string | null {
  const text = raw.trim();
  if (text === '') return null;
  const country = defaultCountry.toUpperCase() as CountryCode;
  try {
    const parsed = parsePhoneNumberFromString(text, country);
    return parsed?.isValid() ? parsed.number : null;
  } catch {
    return null; // libphonenumber-js throws only for an unknown default country
  }
}

// Letters that NFD does not decompose into base + mark.
const FOLD: Record<string, string> = { ß: 'ss', ẞ: 'ss', ø: 'o', Ø: 'o', æ: 'ae', Æ: 'ae', œ: 'oe', Œ: 'oe', ł: 'l', Ł: 'l', đ: 'd', Đ: 'd', ð: 'd', þ: 'th', Þ: 'th', ı: 'i' };

/**
 * The comparison key of a name: compatibility forms and diacritics stripped ("Müller" → "muller", "Łódź" → "lodz"),
 * lower-cased, apostrophes dropped ("O'Brien" → "obrien"), other punctuation and runs of spaces
 * turned into one space.
 */
export function nameKey(s: string): string {
  // Decomposed before and after lower-casing ("Ǣ" is Æ + macron; "İ" lower-cases to i + dot).
  return s
    .normalize('NFKD')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[ßẞøØæÆœŒłŁđĐðþÞı]/g, (c) => FOLD[c] ?? c)
    .replace(/\p{M}/gu, '')
    .replace(/['’‘`´]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The name search key: "last first" ("smith john"); "smith" without a first name. */
export function searchNameOf(first: string | undefined | null, last: string): string {
  return [nameKey(last), nameKey(first ?? '')].filter(Boolean).join(' ');
}

/** Upper-case letters and digits only: "ab 123-456 c" → "AB123456C". */
export function normalizePassportNumber(s: string): string {
  return s.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

// Names legacy systems use that are not ISO names (or are ambiguous in the ISO list).
const COUNTRY_ALIASES: Record<string, string> = { UK: 'GB', ENGLAND: 'GB', SCOTLAND: 'GB', WALES: 'GB', 'NORTHERN IRELAND': 'GB', 'GREAT BRITAIN': 'GB', HOLLAND: 'NL' };

/** ISO 3166-1 alpha-2 from an alpha-2 ("gb"), alpha-3 ("GBR") or English name ("Germany"); null when unknown. */
export function countryAlpha2(s: string): string | null {
  const text = s.trim().replace(/\s+/g, ' ');
  if (text === '') return null;
  const upper = text.toUpperCase();
  const alias = COUNTRY_ALIASES[upper];
  if (alias) return alias;
  if (/^[A-Z]{2}$/.test(upper)) return countries.isValid(upper) ? upper : null;
  if (/^[A-Z]{3}$/.test(upper)) return countries.alpha3ToAlpha2(upper) ?? null;
  return countries.getAlpha2Code(text, 'en') ?? null;
}
