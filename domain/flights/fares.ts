import { fromMinor } from '../money/minor-units';
import type { PassengerFare, PassengerType } from './model';

export interface Traveller {
  type: PassengerType;
  /** "" when the supplier does not tell. */
  fareBasis: string;
}

/**
 * Per-type fares from whole-booking totals, for suppliers that price only the whole offer or
 * order (base, tax, total), not each traveller. Base and tax are each split evenly per traveller
 * in whole minor units (rounded down), and the remainder of each goes to the FIRST traveller, who
 * then gets a fare line of their own unless it happens to match; travellers of one type with the
 * same fare basis and amounts share a line (`count`). So Σ fare.total × count = total,
 * Σ fare.base × count = base and Σ taxes × count = tax, exactly. Taxes come as one `XT` (IATA's
 * combined-taxes code) line, none when the traveller's tax share is zero. In BigInt minor units:
 * mappers call this for every offer of a page.
 */
export function splitFaresEvenly(baseMinor: bigint, taxMinor: bigint, currency: string, exponent: number, travellers: readonly Traveller[]): PassengerFare[] {
  if (travellers.length === 0) return [];
  const n = BigInt(travellers.length);
  const baseEach = baseMinor / n;
  const taxEach = taxMinor / n;
  const out: PassengerFare[] = [];
  for (let i = 0; i < travellers.length; i++) {
    const { type, fareBasis } = travellers[i]!;
    const b = i === 0 ? baseMinor - baseEach * (n - 1n) : baseEach;
    const t = i === 0 ? taxMinor - taxEach * (n - 1n) : taxEach;
    const baseText = fromMinor(b, currency, exponent);
    const totalText = fromMinor(b + t, currency, exponent);
    let same: PassengerFare | undefined;
    for (const f of out) {
      if (f.passengerType === type && f.fare.fareBasis === fareBasis && f.fare.total.amount === totalText.amount && f.fare.base.amount === baseText.amount) {
        same = f;
        break;
      }
    }
    if (same) same.count++;
    else out.push({ passengerType: type, count: 1, fare: { fareBasis, base: baseText, taxes: t === 0n ? [] : [{ code: 'XT', amount: fromMinor(t, currency, exponent) }], total: totalText } });
  }
  return out;
}
