import { z } from 'zod';
import { minorUnits } from '../money/currency';
import { Dec, type MoneyJson } from '../money/money';
import { AtolError, AtolLicenceNumber, type AtolClassification } from './classification';
import { DEFAULT_TURNOVER_BANDS, type ReturnFrequency, type TurnoverBand } from './default-rules';
import { IsoDate } from '../schemas/common.schema';

const Holder = z.string().trim().min(1, 'must name the licence holder').max(200, 'must be at most 200 characters');
const Band = z.string().regex(/^[A-Z0-9][A-Z0-9_]{0,31}$/, 'must be a turnover band such as "UP_TO_5M"');

/** An ATOL licence as registered: its return frequency follows from the turnover band. */
export const AtolLicenceInput = z
  .strictObject({ number: AtolLicenceNumber, holder: Holder, turnoverBand: Band, validFrom: IsoDate, validTo: IsoDate.nullable().optional() })
  .refine((l) => !l.validTo || l.validTo >= l.validFrom, { path: ['validTo'], message: 'must not be before validFrom' });
export type AtolLicenceInput = z.input<typeof AtolLicenceInput>;

/** A change to a licence: holder, turnover band, end date (null: open-ended). */
export const AtolLicencePatch = z
  .strictObject({ holder: Holder.optional(), turnoverBand: Band.optional(), validTo: IsoDate.nullable().optional() })
  .refine((p) => Object.keys(p).length > 0, 'must change at least one of holder, turnoverBand, validTo');

/** The return frequency of a turnover band; an unknown band is an error naming the known ones. */
export function returnFrequencyFor(band: string, bands: readonly TurnoverBand[] = DEFAULT_TURNOVER_BANDS): ReturnFrequency {
  const found = bands.find((b) => b.band === band);
  if (!found) throw new AtolError('unknown-turnover-band', `Unknown turnover band "${band}"; known bands: ${bands.map((b) => b.band).join(', ')}`);
  return found.returnFrequency;
}

export interface ReturnPeriod {
  /** "2027-03" for a month, "2027-Q1" for a quarter. */
  period: string;
  startsOn: string;
  endsOn: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** The calendar months or quarters of `year`. */
export function periodsOf(year: number, frequency: ReturnFrequency): ReturnPeriod[] {
  if (frequency === 'MONTHLY') {
    return Array.from({ length: 12 }, (_, i) => ({ period: `${year}-${pad(i + 1)}`, startsOn: `${year}-${pad(i + 1)}-01`, endsOn: `${year}-${pad(i + 1)}-${pad(lastDay(year, i + 1))}` }));
  }
  return Array.from({ length: 4 }, (_, q) => ({
    period: `${year}-Q${q + 1}`,
    startsOn: `${year}-${pad(q * 3 + 1)}-01`,
    endsOn: `${year}-${pad(q * 3 + 3)}-${pad(lastDay(year, q * 3 + 3))}`,
  }));
}

/** One classified booking as the returns read it. */
export interface ReturnRecord {
  bookingRef: string;
  classification: AtolClassification;
  passengers: number;
  departureDate: string;
  revenue: MoneyJson;
  contribution: MoneyJson | null;
}

export interface RevenueFigures {
  currency: string;
  package: string;
  flightOnly: string;
  total: string;
}

export interface PeriodFigures extends ReturnPeriod {
  /** Protected bookings departing in the period. */
  bookings: number;
  passengers: { package: number; flightOnly: number; total: number };
  /** One row per revenue currency of the return (zeros included); currencies are never added together. */
  revenue: RevenueFigures[];
  /** APC due per currency. */
  apcDue: MoneyJson[];
}

export interface PassengerReturn {
  licence: { number: string; holder: string; returnFrequency: ReturnFrequency };
  year: number;
  /** Bookings count in the period their (outbound) departure date falls in. */
  basis: 'departure-date';
  periods: PeriodFigures[];
  total: PeriodFigures;
}

/** APC is a UK charge in GBP: its column is always present, even in a year without bookings. */
const APC_CURRENCIES_ALWAYS = ['GBP'];

/**
 * The CAA passenger return of a licence for a calendar year, departure-date basis: per month or
 * quarter (per the licence's frequency) the ATOL-protected bookings (PACKAGE, FLIGHT_ONLY), their
 * passengers and revenue by classification, and the APC due; plus the year's total. Bookings
 * outside the year or not protected are left out. Sums are exact; nothing is rounded.
 */
export function passengerReturn(licence: PassengerReturn['licence'], year: number, records: readonly ReturnRecord[]): PassengerReturn {
  const inYear = records.filter((r) => (r.classification === 'PACKAGE' || r.classification === 'FLIGHT_ONLY') && r.departureDate.startsWith(`${year}-`));
  const revenueCurrencies = [...new Set(inYear.map((r) => r.revenue.currency))].sort();
  const apcCurrencies = [...new Set([...APC_CURRENCIES_ALWAYS, ...inYear.flatMap((r) => (r.contribution ? [r.contribution.currency] : []))])].sort();

  const figures = (period: ReturnPeriod, rows: readonly ReturnRecord[]): PeriodFigures => {
    const sum = (pick: (r: ReturnRecord) => Dec | null, currency: string) =>
      rows.reduce((acc, r) => acc.plus(pick(r) ?? 0), new Dec(0)).toFixed(minorUnits(currency));
    const revenueOf = (currency: string, c?: AtolClassification) =>
      sum((r) => (r.revenue.currency === currency && (c === undefined || r.classification === c) ? new Dec(r.revenue.amount) : null), currency);
    const pkg = rows.filter((r) => r.classification === 'PACKAGE').reduce((n, r) => n + r.passengers, 0);
    const flightOnly = rows.filter((r) => r.classification === 'FLIGHT_ONLY').reduce((n, r) => n + r.passengers, 0);
    return {
      ...period,
      bookings: rows.length,
      passengers: { package: pkg, flightOnly, total: pkg + flightOnly },
      revenue: revenueCurrencies.map((currency) => ({ currency, package: revenueOf(currency, 'PACKAGE'), flightOnly: revenueOf(currency, 'FLIGHT_ONLY'), total: revenueOf(currency) })),
      apcDue: apcCurrencies.map((currency) => ({
        amount: sum((r) => (r.contribution?.currency === currency ? new Dec(r.contribution.amount) : null), currency),
        currency,
      })),
    };
  };

  const periods = periodsOf(year, licence.returnFrequency).map((p) => figures(p, inYear.filter((r) => r.departureDate >= p.startsOn && r.departureDate <= p.endsOn)));
  return {
    licence: { number: licence.number, holder: licence.holder, returnFrequency: licence.returnFrequency },
    year,
    basis: 'departure-date',
    periods,
    total: figures({ period: 'TOTAL', startsOn: `${year}-01-01`, endsOn: `${year}-12-31` }, inYear),
  };
}

/** One CSV field per RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled. */
function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The return as CSV (RFC 4180: CRLF line ends, header row): one row per period and a TOTAL row.
 * Columns in a fixed order: licence, holder, period, starts_on, ends_on, bookings, the passenger
 * counts, APC due per currency, then package / flight-only / total revenue per currency, the
 * currencies in alphabetical order.
 */
export function passengerReturnCsv(ret: PassengerReturn): string {
  const apcCurrencies = ret.total.apcDue.map((m) => m.currency);
  const revenueCurrencies = ret.total.revenue.map((r) => r.currency);
  const header = [
    'licence',
    'holder',
    'period',
    'starts_on',
    'ends_on',
    'bookings',
    'package_passengers',
    'flight_only_passengers',
    'total_passengers',
    ...apcCurrencies.map((c) => `apc_due_${c}`),
    ...revenueCurrencies.flatMap((c) => [`package_revenue_${c}`, `flight_only_revenue_${c}`, `total_revenue_${c}`]),
  ];
  const row = (f: PeriodFigures) => [
    ret.licence.number,
    ret.licence.holder,
    f.period,
    f.startsOn,
    f.endsOn,
    f.bookings,
    f.passengers.package,
    f.passengers.flightOnly,
    f.passengers.total,
    ...f.apcDue.map((m) => m.amount),
    ...f.revenue.flatMap((r) => [r.package, r.flightOnly, r.total]),
  ];
  return [header, ...ret.periods.map(row), row(ret.total)].map((cells) => cells.map(csvField).join(',')).join('\r\n') + '\r\n';
}
