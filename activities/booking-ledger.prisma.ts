import { minorUnits } from '../domain/money/currency';
import { Dec, type MoneyJson } from '../domain/money/money';
import { isoDateOf } from '../domain/time/instant';
import type { PrismaClient } from '../generated/prisma/client';

/** One posting of a booking's journal entry, as the booking detail shows it. */
export interface BookingLedgerPosting {
  account: string;
  side: 'DEBIT' | 'CREDIT';
  amount: MoneyJson;
  /** The amount in the company's base currency, with the rate that translated it (null: none configured). */
  base: { amount: MoneyJson; rate: string; source: string; rateDate: string; rule: string } | null;
}

/** A journal entry tagged with the booking's reference (`journal_entries.booking_ref`). */
export interface BookingLedgerEntry {
  id: string;
  idempotencyKey: string;
  kind: string;
  description: string;
  accountingDate: string;
  postedAt: number;
  /** The entry this one reverses, and the entry that reversed this one. */
  reversesId: string | null;
  reversedById: string | null;
  postings: BookingLedgerPosting[];
}

/** Largest number of entries one booking detail lists (a booking posts a few dozen at most). */
export const BOOKING_LEDGER_LIMIT = 500;

/** Reads the ledger of one booking: every entry posted with its reference, oldest first. */
export class PrismaBookingLedger {
  constructor(private readonly prisma: PrismaClient) {}

  async entriesOf(reference: string): Promise<BookingLedgerEntry[]> {
    const rows = await this.prisma.journalEntry.findMany({
      where: { bookingRef: reference },
      orderBy: [{ postedAt: 'asc' }, { id: 'asc' }],
      take: BOOKING_LEDGER_LIMIT,
      include: {
        reversedBy: { select: { id: true } },
        postings: { orderBy: { id: 'asc' }, include: { account: { select: { code: true } } } },
      },
    });
    return rows.map((e) => ({
      id: e.id,
      idempotencyKey: e.idempotencyKey,
      kind: e.kind,
      description: e.description,
      accountingDate: isoDateOf(e.accountingDate),
      postedAt: e.postedAt.getTime(),
      reversesId: e.reversesId,
      reversedById: e.reversedBy?.id ?? null,
      postings: e.postings.map((p) => ({
        account: p.account.code,
        side: p.side,
        amount: money(p.amount.toFixed(), p.currency),
        base:
          p.baseAmount !== null && p.baseCurrency && p.fxRate !== null && p.fxRateSource && p.fxRateDate
            ? {
                amount: money(p.baseAmount.toFixed(), p.baseCurrency),
                rate: new Dec(p.fxRate.toFixed()).toFixed(),
                source: p.fxRateSource,
                rateDate: isoDateOf(p.fxRateDate),
                rule: p.translationRule ?? 'IDENTITY',
              }
            : null,
      })),
    }));
  }
}

const money = (amount: string, currency: string): MoneyJson => ({ amount: new Dec(amount).toFixed(minorUnits(currency)), currency });
