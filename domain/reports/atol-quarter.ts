import type { PassengerReturn, PeriodFigures } from '../atol/returns';
import { minorUnits } from '../money/currency';
import { Dec } from '../money/money';

/** A calendar quarter: "2027-Q1" → year 2027, quarter 1, its first and last day. */
export function quarterBounds(year: number, quarter: number): { period: string; startsOn: string; endsOn: string } {
  const first = (quarter - 1) * 3 + 1;
  const last = first + 2;
  const lastDay = new Date(Date.UTC(year, last, 0)).getUTCDate();
  const pad = (n: number) => String(n).padStart(2, '0');
  return { period: `${year}-Q${quarter}`, startsOn: `${year}-${pad(first)}-01`, endsOn: `${year}-${pad(last)}-${pad(lastDay)}` };
}

/** The periods of a yearly return that fall in a quarter, and their sum (per currency, exact). */
export function quarterOfReturn(ret: PassengerReturn, quarter: number): { quarter: string; startsOn: string; endsOn: string; periods: PeriodFigures[]; total: PeriodFigures } {
  const bounds = quarterBounds(ret.year, quarter);
  const periods = ret.periods.filter((p) => p.startsOn >= bounds.startsOn && p.endsOn <= bounds.endsOn);
  const revenueCurrencies = ret.total.revenue.map((r) => r.currency);
  const apcCurrencies = ret.total.apcDue.map((m) => m.currency);
  const total: PeriodFigures = {
    period: 'TOTAL',
    startsOn: bounds.startsOn,
    endsOn: bounds.endsOn,
    bookings: periods.reduce((n, p) => n + p.bookings, 0),
    passengers: {
      package: periods.reduce((n, p) => n + p.passengers.package, 0),
      flightOnly: periods.reduce((n, p) => n + p.passengers.flightOnly, 0),
      total: periods.reduce((n, p) => n + p.passengers.total, 0),
    },
    revenue: revenueCurrencies.map((currency) => {
      const rows = periods.flatMap((p) => p.revenue.filter((r) => r.currency === currency));
      const sum = (pick: (r: (typeof rows)[number]) => string) => rows.reduce((acc, r) => acc.plus(pick(r)), new Dec(0)).toFixed(minorUnits(currency));
      return { currency, package: sum((r) => r.package), flightOnly: sum((r) => r.flightOnly), total: sum((r) => r.total) };
    }),
    apcDue: apcCurrencies.map((currency) => ({
      currency,
      amount: periods
        .flatMap((p) => p.apcDue.filter((m) => m.currency === currency))
        .reduce((acc, m) => acc.plus(m.amount), new Dec(0))
        .toFixed(minorUnits(currency)),
    })),
  };
  return { quarter: bounds.period, startsOn: bounds.startsOn, endsOn: bounds.endsOn, periods, total };
}
