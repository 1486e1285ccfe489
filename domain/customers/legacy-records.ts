/**
 * Checks of legacy-export records (one per file kind): text fields in, a model-shaped value out,
 * with every problem as a RowIssue naming the file, row, column and the bad value.
 *
 * ERROR (the record is not loaded): a missing required field, an unparseable required date or birth
 * date, an impossible birth date, an unknown value in a required field (or in a trip's payment
 * status, which decides lifetime value), a bad amount or currency, reversed dates.
 * WARNING (loaded, the bad optional part dropped or masked): invalid emails and phones, unknown
 * optional countries, bad optional preferences and dates, card numbers (never echoed), bad
 * component JSON, an expired passport (loaded and flagged).
 */
import { checkAmount, Dec } from '../money/money';
import { isCurrencyCode, minorUnits } from '../money/currency';
import { isIsoDate } from '../time/instant';
import { legacySourceKey } from './ids';
import {
  CABIN_CLASSES,
  CONSENT_PURPOSES,
  CONTACT_CHANNELS,
  LOYALTY_KINDS,
  SEAT_PREFERENCES,
  TRIP_PAYMENT_STATUSES,
  type Anniversary,
  type CabinClass,
  type CheckContext,
  type Checked,
  type ConsentPurpose,
  type ContactChannel,
  type CustomerFinancial,
  type EmailAddress,
  type LegacyAdvisor,
  type LegacyConsent,
  type LegacyCustomer,
  type LegacyFileKind,
  type LegacyLoyaltyTransaction,
  type LegacyPassport,
  type LegacyTrip,
  type LoyaltyKind,
  type PaymentMethodOnFile,
  type PhoneKind,
  type PhoneNumber,
  type PostalAddress,
  type RawRecord,
  type RowIssue,
  type SeatPreference,
  type TripComponent,
  type TripPaymentStatus,
} from './model';
import { countryAlpha2, normalizeEmail, normalizePassportNumber, normalizePhone } from './normalize';

// ------------------------------------------------------------------ dates

/**
 * A legacy date as YYYY-MM-DD, or null. Accepts YYYY-MM-DD (an ISO timestamp's date part too),
 * DD/MM/YYYY (MM/DD/YYYY when !dayFirst), DD.MM.YYYY, DD-MM-YYYY (as the slashed form) and
 * YYYYMMDD; only real calendar dates (31/02/2004 is refused).
 */
export function parseLegacyDate(s: string, dayFirst: boolean): string | null {
  const t = s.trim();
  let y: string, m: string, d: string;
  let match: RegExpExecArray | null;
  if ((match = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(t))) [, y, m, d] = match as unknown as [string, string, string, string];
  else if ((match = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$/.exec(t))) {
    const [, a, b, year] = match as unknown as [string, string, string, string];
    [d, m, y] = dayFirst ? [a, b, year] : [b, a, year];
  } else if ((match = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(t))) [, d, m, y] = match as unknown as [string, string, string, string];
  else if ((match = /^(\d{4})(\d{2})(\d{2})$/.exec(t))) [, y, m, d] = match as unknown as [string, string, string, string];
  else return null;
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  return isIsoDate(iso) ? iso : null;
}

/** The same calendar day `years` years before `date` (29 February → 28 February when needed). */
export function yearsBefore(date: string, years: number): string {
  const back = `${String(Number(date.slice(0, 4)) - years).padStart(4, '0')}${date.slice(4)}`;
  return isIsoDate(back) ? back : `${back.slice(0, 8)}28`;
}

// ------------------------------------------------------------------ card numbers

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let n = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) n = n * 2 > 9 ? n * 2 - 9 : n * 2;
    sum += n;
  }
  return sum % 10 === 0;
}

/** Digit runs (single spaces or dashes allowed inside) that are 13–19 digits long and pass the Luhn check. */
function cardRuns(text: string): RegExpMatchArray[] {
  return [...text.matchAll(/\d(?:[ -]?\d)*/g)].filter((m) => {
    const digits = m[0].replace(/\D/g, '');
    return digits.length >= 13 && digits.length <= 19 && luhnValid(digits);
  });
}

/** True when `text` holds something that looks like a payment card number. */
export function containsCardNumber(text: string): boolean {
  return cardRuns(text).length > 0;
}

/** `text` with each card number replaced by "**** **** **** 1234" (its last four digits). */
export function maskCardNumbers(text: string): string {
  return text.replace(/\d(?:[ -]?\d)*/g, (run) => {
    const digits = run.replace(/\D/g, '');
    return digits.length >= 13 && digits.length <= 19 && luhnValid(digits) ? `**** **** **** ${digits.slice(-4)}` : run;
  });
}

// ------------------------------------------------------------------ the field reader

const TRUE = ['y', 'yes', 'true', '1', 't'];
const FALSE = ['n', 'no', 'false', '0', 'f'];

/** Reads one record's fields and collects its issues. */
class FieldReader {
  readonly issues: RowIssue[] = [];

  constructor(
    private readonly file: LegacyFileKind,
    private readonly raw: RawRecord,
    readonly ctx: CheckContext,
  ) {}

  get failed(): boolean {
    return this.issues.some((i) => i.severity === 'ERROR');
  }

  issue(field: string | undefined, code: string, message: string, severity: 'ERROR' | 'WARNING'): void {
    this.issues.push({ file: this.file, row: this.raw.row, ...(field === undefined ? {} : { field }), code, message, severity });
  }

  error(field: string, code: string, message: string): undefined {
    this.issue(field, code, message, 'ERROR');
    return undefined;
  }

  warn(field: string, code: string, message: string): undefined {
    this.issue(field, code, message, 'WARNING');
    return undefined;
  }

  /** The trimmed text of a field ('' when absent). */
  text(field: string): string {
    return (this.raw.fields[field] ?? '').trim();
  }

  /** Trimmed text, or undefined when empty. */
  optional(field: string): string | undefined {
    return this.text(field) || undefined;
  }

  /** A required field's text: '' and an ERROR when it is empty. */
  required(field: string): string {
    const t = this.text(field);
    if (t === '') this.error(field, 'missing-field', `${field} is required but is empty`);
    return t;
  }

  /** Free text with card numbers masked (a WARNING when one was found). */
  freeText(field: string): string | undefined {
    const t = this.optional(field);
    if (t === undefined) return undefined;
    if (!containsCardNumber(t)) return t;
    this.warn(field, 'card-number', `${field} contains what looks like a card number; it was masked to its last four digits`);
    return maskCardNumbers(t);
  }

  /** A date; a bad one is an ERROR when the field is required (or `badIsError`), else a WARNING and dropped. */
  date(field: string, opts: { required: boolean; badIsError?: boolean }): string | undefined {
    const t = opts.required ? this.required(field) : this.text(field);
    if (t === '') return undefined;
    const d = parseLegacyDate(t, this.ctx.dayFirst);
    if (d !== null) return d;
    const message = `${field} "${t}" is not a date (YYYY-MM-DD, ${this.ctx.dayFirst ? 'DD/MM/YYYY' : 'MM/DD/YYYY'}, DD.MM.YYYY or YYYYMMDD)`;
    return opts.required || opts.badIsError ? this.error(field, 'bad-date', message) : this.warn(field, 'bad-date', `${message}; it was not stored`);
  }

  /** An enum value, matched case-insensitively with spaces and hyphens read as underscores. */
  enumValue<T extends string>(field: string, allowed: readonly T[], opts: { required: boolean; badIsError?: boolean; aliases?: Record<string, T> }): T | undefined {
    const t = opts.required ? this.required(field) : this.text(field);
    if (t === '') return undefined;
    const key = t.toUpperCase().replace(/[\s-]+/g, '_');
    const found = (allowed as readonly string[]).includes(key) ? (key as T) : opts.aliases?.[key];
    if (found !== undefined) return found;
    const message = `${field} "${t}" is not one of ${allowed.join(', ')}`;
    return opts.required || opts.badIsError ? this.error(field, 'unknown-value', message) : this.warn(field, 'unknown-value', `${message}; it was not stored`);
  }

  /** Yes/no; empty is `fallback`, an unreadable optional value is `badFallback` (default `fallback`) with a WARNING. */
  bool(field: string, opts: { required: boolean; fallback: boolean; badFallback?: boolean }): boolean | undefined {
    const t = opts.required ? this.required(field) : this.text(field);
    if (t === '') return opts.required ? undefined : opts.fallback;
    const lower = t.toLowerCase();
    if (TRUE.includes(lower)) return true;
    if (FALSE.includes(lower)) return false;
    const message = `${field} "${t}" is not yes/no (Y/N, true/false, 1/0)`;
    if (opts.required) return this.error(field, 'bad-boolean', message);
    const read = opts.badFallback ?? opts.fallback;
    this.warn(field, 'bad-boolean', `${message}; read as ${String(read)}`);
    return read;
  }

  integer(t: string): number | undefined {
    if (/^[+-]?\d{1,15}$/.test(t)) return Number(t);
    return undefined;
  }

  list(field: string): string[] {
    const t = this.freeText(field) ?? '';
    const seen = new Set<string>();
    for (const item of t.split(';').map((s) => s.trim())) if (item !== '' && !seen.has(item)) seen.add(item);
    return [...seen];
  }

  /** An exact amount in `currency`, formatted with the currency's decimal places; ERROR when bad. */
  amount(field: string, t: string, currency: string, opts: { allowNegative: boolean }): string | undefined {
    const problems = checkAmount(t, currency, { allowNegative: opts.allowNegative });
    if (problems.length > 0) return this.error(field, 'bad-amount', `${field} "${t}": ${problems.map((p) => p.message).join('; ')}`);
    return new Dec(t).toFixed(minorUnits(currency)); // exact: checkAmount refused extra decimal places
  }

  currency(field: string, opts: { required: boolean }): string | undefined {
    const t = opts.required ? this.required(field) : this.text(field);
    if (t === '') return undefined;
    const code = t.toUpperCase();
    return isCurrencyCode(code) ? code : this.error(field, 'bad-currency', `${field} "${t}" is not an ISO 4217 currency code`);
  }
}

const done = <T>(r: FieldReader, value: T): Checked<T> => (r.failed ? { issues: r.issues } : { value, issues: r.issues });

// ------------------------------------------------------------------ advisors

export function checkLegacyAdvisor(raw: RawRecord, ctx: CheckContext): Checked<LegacyAdvisor> {
  const r = new FieldReader('advisors', raw, ctx);
  const advisorId = r.required('advisor_id');
  const name = r.required('name');
  const emailText = r.optional('email');
  let email: string | undefined;
  if (emailText !== undefined) {
    email = normalizeEmail(emailText) ?? r.warn('email', 'bad-email', `email "${emailText}" is not a valid email address; it was not stored`);
  }
  const active = r.bool('active', { required: false, fallback: true }) ?? true;
  const branch = r.optional('branch');
  return done(r, { advisorId, name, ...(email ? { email } : {}), ...(branch ? { branch } : {}), active });
}

// ------------------------------------------------------------------ customers

const PHONE_FIELDS: [string, PhoneKind][] = [
  ['phone', 'HOME'],
  ['mobile', 'MOBILE'],
  ['work_phone', 'WORK'],
];

const CABIN_ALIASES: Record<string, CabinClass> = { PREMIUM: 'PREMIUM_ECONOMY', ECONOMY_PLUS: 'PREMIUM_ECONOMY', COACH: 'ECONOMY' };
const CHANNEL_ALIASES: Record<string, ContactChannel> = { MAIL: 'POST', LETTER: 'POST', TELEPHONE: 'PHONE', TEXT: 'SMS', E_MAIL: 'EMAIL' };

function checkAnniversaries(r: FieldReader): Anniversary[] {
  const out: Anniversary[] = [];
  for (const item of r.list('anniversaries')) {
    const m = /^([^:]+):(\d{4}-\d{2}-\d{2}|\d{2}-\d{2})$/.exec(item);
    const date = m?.[2];
    const valid = date !== undefined && (date.length === 10 ? isIsoDate(date) : isIsoDate(`2000-${date}`));
    if (!m || !valid) {
      r.warn('anniversaries', 'bad-anniversary', `anniversaries item "${item}" is not KIND:MM-DD or KIND:YYYY-MM-DD; it was not stored`);
      continue;
    }
    const kind = m[1]!.trim().toUpperCase();
    if (!out.some((a) => a.kind === kind && a.date === date)) out.push({ kind, date });
  }
  return out;
}

function checkAddress(r: FieldReader, country: string | undefined): PostalAddress | undefined {
  const line1 = r.freeText('address_line1');
  const line2 = r.freeText('address_line2');
  const city = r.freeText('city');
  const region = r.freeText('region');
  const postalCode = r.optional('postal_code');
  if (!line1 && !line2 && !city && !region && !postalCode) return undefined;
  const missing = [!line1 && 'address_line1', !city && 'city', !country && 'country'].filter(Boolean);
  if (missing.length > 0) {
    r.warn(missing[0] as string, 'incomplete-address', `the address lacks ${missing.join(', ')}; it was not stored`);
    return undefined;
  }
  return { kind: 'HOME', line1: line1!, ...(line2 ? { line2 } : {}), city: city!, ...(region ? { region } : {}), ...(postalCode ? { postalCode } : {}), country: country! };
}

function checkFinancial(r: FieldReader): CustomerFinancial | undefined {
  const creditText = r.text('credit_limit');
  const outstandingText = r.text('outstanding_balance');
  const currencyText = r.text('currency');
  if (!creditText && !outstandingText && !currencyText) return undefined;
  if (!currencyText) {
    r.error('currency', 'missing-currency', `currency is required when credit_limit or outstanding_balance is given`);
    return undefined;
  }
  const currency = r.currency('currency', { required: true });
  if (currency === undefined) return undefined;
  const creditLimit = creditText ? r.amount('credit_limit', creditText, currency, { allowNegative: false }) : undefined;
  const outstandingBalance = outstandingText ? r.amount('outstanding_balance', outstandingText, currency, { allowNegative: true }) : new Dec(0).toFixed(minorUnits(currency));
  if (outstandingBalance === undefined) return undefined;
  return { currency, ...(creditLimit !== undefined ? { creditLimit } : {}), outstandingBalance };
}

function checkPaymentMethod(r: FieldReader): PaymentMethodOnFile | undefined {
  const token = r.optional('card_token');
  const brand = r.freeText('card_brand');
  const last4Text = r.optional('card_last4');
  const expiryText = r.optional('card_expiry');
  if (token === undefined) {
    if (brand || last4Text || expiryText) r.warn('card_token', 'missing-token', 'card details were given without a card_token; no payment method was stored');
    return undefined;
  }
  if (containsCardNumber(token)) {
    // Card numbers are never stored (PCI DSS): only the gateway's token may be kept.
    r.warn('card_token', 'card-number', 'card_token looks like a card number; only gateway tokens are kept — the value was not stored');
    return undefined;
  }
  let last4: string | undefined;
  if (last4Text !== undefined) {
    last4 = /^\d{4}$/.test(last4Text) ? last4Text : r.warn('card_last4', 'bad-card-detail', 'card_last4 is not exactly four digits; it was not stored');
  }
  let expiry: string | undefined;
  if (expiryText !== undefined) {
    const m = /^(\d{4})-(\d{2})$/.exec(expiryText) ?? /^(\d{2})\/(\d{2}|\d{4})$/.exec(expiryText);
    if (m) {
      const [year, month] = m[1]!.length === 4 ? [m[1]!, m[2]!] : [m[2]!.length === 2 ? `20${m[2]!}` : m[2]!, m[1]!];
      if (Number(month) >= 1 && Number(month) <= 12) expiry = `${year}-${month}`;
    }
    if (expiry === undefined) r.warn('card_expiry', 'bad-card-detail', `card_expiry "${expiryText}" is not YYYY-MM or MM/YY; it was not stored`);
  }
  return { token, ...(brand ? { brand } : {}), ...(last4 ? { last4 } : {}), ...(expiry ? { expiry } : {}) };
}

function checkLanguage(r: FieldReader): string | undefined {
  const t = r.optional('language');
  if (t === undefined) return undefined;
  try {
    const [tag] = Intl.getCanonicalLocales(t.replace(/_/g, '-'));
    if (tag) return tag;
  } catch {
    // not a BCP 47 tag: reported below
  }
  return r.warn('language', 'unknown-value', `language "${t}" is not a BCP 47 language tag such as "en" or "de-CH"; it was not stored`);
}

export function checkLegacyCustomer(raw: RawRecord, ctx: CheckContext): Checked<LegacyCustomer> {
  const r = new FieldReader('customers', raw, ctx);
  const legacyId = r.required('customer_id');
  const lastName = r.required('last_name');
  const firstName = r.freeText('first_name');
  const title = r.freeText('title');

  // An unparseable birth date is an error, not a dropped value: duplicate detection relies on it.
  const dateOfBirth = r.date('date_of_birth', { required: false, badIsError: true });
  if (dateOfBirth !== undefined && (dateOfBirth > ctx.today || dateOfBirth < yearsBefore(ctx.today, 120))) {
    r.error('date_of_birth', 'impossible-birth-date', `date_of_birth ${dateOfBirth} is impossible: it must be on or before ${ctx.today} and at most 120 years before it`);
  }

  const emails: EmailAddress[] = [];
  for (const field of ['email', 'email_2']) {
    const t = r.optional(field);
    if (t === undefined) continue;
    const normalized = normalizeEmail(t);
    if (normalized === null) r.warn(field, 'bad-email', `${field} "${t}" is not a valid email address; it was not stored`);
    else if (!emails.some((e) => e.normalized === normalized)) emails.push({ address: t, normalized, primary: emails.length === 0 });
  }

  const countryText = r.optional('country');
  const country = countryText === undefined ? undefined : (countryAlpha2(countryText) ?? r.warn('country', 'unknown-country', `country "${countryText}" is not a known country; it was not stored`));
  const address = checkAddress(r, country);

  const phones: PhoneNumber[] = [];
  for (const [field, kind] of PHONE_FIELDS) {
    const t = r.optional(field);
    if (t === undefined) continue;
    const e164 = normalizePhone(t, country ?? 'GB');
    if (e164 === null) r.warn(field, 'bad-phone', `${field} "${t}" is not a valid phone number${t.startsWith('+') ? '' : ` in ${country ?? 'GB'}`}; it was not stored`);
    else if (!phones.some((p) => p.e164 === e164)) phones.push({ raw: t, e164, kind, primary: phones.length === 0 });
  }

  const createdOn = r.date('created_on', { required: false });
  const cabinClass = r.enumValue('cabin_class', CABIN_CLASSES, { required: false, aliases: CABIN_ALIASES });
  const seat = r.enumValue<SeatPreference>('seat', SEAT_PREFERENCES, { required: false });
  const dietary = r.list('dietary');
  const preferredAirlines: string[] = [];
  for (const item of r.list('preferred_airlines').map((a) => a.toUpperCase())) {
    if (!/^[A-Z0-9]{2}$/.test(item)) r.warn('preferred_airlines', 'unknown-value', `preferred_airlines item "${item}" is not a two-character IATA airline code; it was not stored`);
    else if (!preferredAirlines.includes(item)) preferredAirlines.push(item);
  }
  const anniversaries = checkAnniversaries(r);
  const notes = r.freeText('notes');

  const preferredChannel = r.enumValue('preferred_channel', CONTACT_CHANNELS, { required: false, aliases: CHANNEL_ALIASES });
  const language = checkLanguage(r);
  // Unreadable "do not contact" is read as do-not-contact: contacting someone who opted out is the worse mistake.
  const doNotContact = r.bool('do_not_contact', { required: false, fallback: false, badFallback: true }) ?? false;

  const loyaltyTier = r.freeText('loyalty_tier');
  const balanceText = r.optional('loyalty_balance');
  let loyaltyBalance: number | undefined;
  if (balanceText !== undefined) {
    loyaltyBalance = r.integer(balanceText);
    if (loyaltyBalance === undefined) r.warn('loyalty_balance', 'bad-number', `loyalty_balance "${balanceText}" is not a whole number of points; it was not stored, so the balance is not reconciled`);
  }

  const financial = checkFinancial(r);
  const paymentMethod = checkPaymentMethod(r);

  return done(r, {
    legacyId,
    row: raw.row,
    ...(title ? { title } : {}),
    ...(firstName ? { firstName } : {}),
    lastName,
    ...(dateOfBirth ? { dateOfBirth } : {}),
    emails,
    phones,
    ...(address ? { address } : {}),
    ...(r.optional('advisor_id') ? { advisorId: r.text('advisor_id') } : {}),
    ...(r.optional('household_id') ? { householdId: r.text('household_id') } : {}),
    ...(createdOn ? { createdOn } : {}),
    preferences: {
      ...(cabinClass ? { cabinClass } : {}),
      ...(seat ? { seat } : {}),
      dietary,
      preferredAirlines,
      anniversaries,
      ...(notes ? { notes } : {}),
    },
    contactPreferences: { ...(preferredChannel ? { preferredChannel } : {}), ...(language ? { language } : {}), doNotContact },
    ...(loyaltyTier ? { loyaltyTier } : {}),
    ...(loyaltyBalance !== undefined ? { loyaltyBalance } : {}),
    ...(financial ? { financial } : {}),
    paymentMethods: paymentMethod ? [paymentMethod] : [],
  });
}

// ------------------------------------------------------------------ passports

export function checkLegacyPassport(raw: RawRecord, ctx: CheckContext): Checked<LegacyPassport> {
  const r = new FieldReader('passports', raw, ctx);
  const legacyCustomerId = r.required('customer_id');
  const number = r.required('number');
  const normalizedNumber = normalizePassportNumber(number);
  if (number !== '' && normalizedNumber === '') r.error('number', 'bad-passport-number', `number "${number}" holds no letters or digits`);
  const countryText = r.required('country');
  const country = countryText === '' ? undefined : (countryAlpha2(countryText) ?? r.error('country', 'unknown-country', `country "${countryText}" is not a known country`));
  const expiresOn = r.date('expires_on', { required: true });
  const issuedOn = r.date('issued_on', { required: false });
  if (issuedOn && expiresOn && issuedOn > expiresOn) r.error('issued_on', 'reversed-dates', `issued_on ${issuedOn} is after expires_on ${expiresOn}`);
  if (expiresOn && expiresOn < ctx.today && !r.failed) r.warn('expires_on', 'expired-passport', `the passport expired on ${expiresOn}; it is kept but never treated as current`);
  return done(r, { legacyCustomerId, row: raw.row, number, normalizedNumber, country: country ?? '', ...(issuedOn ? { issuedOn } : {}), expiresOn: expiresOn ?? '' });
}

// ------------------------------------------------------------------ trips

const PAYMENT_ALIASES: Record<string, TripPaymentStatus> = { PART_PAID: 'PARTIALLY_PAID', PARTIAL: 'PARTIALLY_PAID', DEPOSIT_PAID: 'PARTIALLY_PAID', CANCELED: 'CANCELLED', REFUND: 'REFUNDED', FULLY_PAID: 'PAID' };

function checkComponents(r: FieldReader): TripComponent[] | undefined {
  const t = r.freeText('components');
  if (t === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch (err) {
    return r.warn('components', 'bad-json', `components is not valid JSON (${(err as Error).message}); the trip was loaded without components`);
  }
  if (!Array.isArray(parsed)) return r.warn('components', 'bad-json', 'components is not a JSON array; the trip was loaded without components');
  const out: TripComponent[] = [];
  parsed.forEach((item: unknown, i) => {
    const o = item as Record<string, unknown> | null;
    const str = (k: string) => (o && typeof o[k] === 'string' && (o[k] as string).trim() !== '' ? (o[k] as string).trim() : undefined);
    const type = str('type');
    if (!o || typeof o !== 'object' || type === undefined) {
      r.warn('components', 'bad-component', `components[${i}] has no "type"; that component was not stored`);
      return;
    }
    const supplier = str('supplier');
    const description = str('description');
    const serviceClass = str('serviceClass');
    out.push({ type: type.toUpperCase(), ...(supplier ? { supplier } : {}), ...(description ? { description } : {}), ...(serviceClass ? { serviceClass } : {}) });
  });
  return out;
}

export function checkLegacyTrip(raw: RawRecord, ctx: CheckContext): Checked<LegacyTrip> {
  const r = new FieldReader('trips', raw, ctx);
  const tripId = r.required('trip_id');
  const legacyCustomerId = r.required('customer_id');
  const reference = r.required('booking_reference');
  const startDate = r.date('start_date', { required: true });
  const endDate = r.date('end_date', { required: true });
  if (startDate && endDate && endDate < startDate) r.error('end_date', 'reversed-dates', `end_date ${endDate} is before start_date ${startDate}`);
  const valueText = r.required('value');
  const currency = r.currency('currency', { required: true });
  const amount = valueText && currency ? r.amount('value', valueText, currency, { allowNegative: false }) : undefined;
  const paxText = r.optional('pax');
  let pax = 1;
  if (paxText !== undefined) {
    const n = r.integer(paxText);
    if (n === undefined || n < 1 || n > 99) r.error('pax', 'bad-number', `pax "${paxText}" is not a whole number from 1 to 99`);
    else pax = n;
  }
  // An unknown payment status is an error: reading CANCELLED as PAID would inflate lifetime value.
  const paymentStatus = r.enumValue('payment_status', TRIP_PAYMENT_STATUSES, { required: false, badIsError: true, aliases: PAYMENT_ALIASES });
  const components = checkComponents(r);
  const advisorId = r.optional('advisor_id');
  return done(r, {
    legacyCustomerId,
    row: raw.row,
    sourceKey: legacySourceKey(ctx.system, 'trip', tripId),
    reference,
    startDate: startDate ?? '',
    endDate: endDate ?? '',
    destinations: r.list('destinations'),
    products: r.list('products'),
    pax,
    value: { amount: amount ?? '', currency: currency ?? '' },
    paymentStatus: paymentStatus ?? 'PAID',
    ...(advisorId ? { advisorId } : {}),
    ...(components ? { components } : {}),
  });
}

// ------------------------------------------------------------------ loyalty

export function checkLegacyLoyalty(raw: RawRecord, ctx: CheckContext): Checked<LegacyLoyaltyTransaction> {
  const r = new FieldReader('loyalty', raw, ctx);
  const transactionId = r.required('transaction_id');
  const legacyCustomerId = r.required('customer_id');
  const occurredOn = r.date('date', { required: true });
  const pointsText = r.required('points');
  let points: number | undefined;
  if (pointsText !== '') {
    points = r.integer(pointsText);
    if (points === undefined) r.error('points', 'bad-number', `points "${pointsText}" is not a whole number of points`);
  }
  const givenKind = r.enumValue<LoyaltyKind>('kind', LOYALTY_KINDS, { required: false });
  const kind: LoyaltyKind = givenKind ?? ((points ?? 0) < 0 ? 'REDEEM' : 'EARN');
  if (points !== undefined && ((kind === 'EARN' && points < 0) || ((kind === 'REDEEM' || kind === 'EXPIRE') && points > 0))) {
    r.warn('points', 'points-sign', `points ${points} has the unexpected sign for kind ${kind}; loaded as given`);
  }
  const description = r.freeText('description');
  const tripReference = r.optional('booking_reference');
  return done(r, {
    legacyCustomerId,
    row: raw.row,
    sourceKey: legacySourceKey(ctx.system, 'loyalty', transactionId),
    occurredOn: occurredOn ?? '',
    points: points ?? 0,
    kind,
    ...(description ? { description } : {}),
    ...(tripReference ? { tripReference } : {}),
  });
}

// ------------------------------------------------------------------ consents

const PURPOSE_ALIASES: Record<string, ConsentPurpose> = Object.fromEntries(
  CONSENT_PURPOSES.filter((p) => p.startsWith('MARKETING_')).map((p) => [p.slice('MARKETING_'.length), p]),
) as Record<string, ConsentPurpose>;

export function checkLegacyConsent(raw: RawRecord, ctx: CheckContext): Checked<LegacyConsent> {
  const r = new FieldReader('consents', raw, ctx);
  const legacyCustomerId = r.required('customer_id');
  const purpose = r.enumValue('purpose', CONSENT_PURPOSES, { required: true, aliases: PURPOSE_ALIASES });
  const granted = r.bool('granted', { required: true, fallback: false });
  const recordedOn = r.date('date', { required: true });
  const source = r.freeText('source') ?? 'legacy import';
  return done(r, {
    legacyCustomerId,
    row: raw.row,
    sourceKey: legacySourceKey(ctx.system, 'consent', `${legacyCustomerId}:${purpose}:${recordedOn}:${granted ? 'in' : 'out'}`),
    purpose: purpose ?? 'MARKETING_EMAIL',
    granted: granted ?? false,
    recordedOn: recordedOn ?? '',
    source,
  });
}
