import { Prisma, type PrismaClient } from '../generated/prisma/client';
import {
  AtolCriteria,
  AtolError,
  AtolRuleSchema,
  ATOL_CLASSIFICATIONS,
  classify,
  isProtected,
  parseAtolBooking,
  rulesInForce,
  type AtolBooking,
  type AtolClassification,
  type AtolRule,
} from '../domain/atol/classification';
import { contributionDue, contributionEntry, rateInForce, type ContributionRate } from '../domain/atol/contribution';
import { DEFAULT_ATOL_RULES, DEFAULT_CONTRIBUTION_RATES, DEFAULT_TURNOVER_BANDS, type ReturnFrequency, type TurnoverBand } from '../domain/atol/default-rules';
import { AtolLicenceInput, AtolLicencePatch, passengerReturn, returnFrequencyFor, type PassengerReturn, type ReturnRecord } from '../domain/atol/returns';
import type { EntryDraft } from '../domain/ledger/entry';
import { minorUnits } from '../domain/money/currency';
import { Dec, type MoneyJson } from '../domain/money/money';
import { LedgerError, type Ledger, type PostedEntry } from './ports/ledger';

const asDate = (iso: string) => new Date(`${iso}T00:00:00.000Z`);
const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const money = (amount: Prisma.Decimal | string, currency: string): MoneyJson => ({ amount: new Dec(amount.toString()).toFixed(minorUnits(currency)), currency });

/** Serialises changes to the ATOL configuration (rules, rates) across connections. */
const CONFIG_LOCK = 72_846_001;

export interface AtolRuleView extends AtolRule {
  id: string;
}

export interface AtolRecordView {
  bookingRef: string;
  classification: AtolClassification;
  ruleId: string | null;
  sellerCountry: string;
  passengers: number;
  departureDate: string;
  revenue: MoneyJson;
  /** APC posted for the booking; null when the classification is not protected. */
  contribution: MoneyJson | null;
  entryId: string | null;
  classifiedAt: number;
}

export interface ClassifyOutcome {
  /** False when the booking had been classified before with the same facts. */
  created: boolean;
  record: AtolRecordView;
  rule: { id: string; name: string };
  entry: PostedEntry | null;
}

export interface AtolLicenceView {
  number: string;
  holder: string;
  turnoverBand: string;
  returnFrequency: ReturnFrequency;
  validFrom: string;
  validTo: string | null;
}

type RuleRow = Prisma.AtolRuleGetPayload<object>;
type RecordRow = Prisma.AtolBookingRecordGetPayload<object>;
type LicenceRow = Prisma.AtolLicenceGetPayload<object>;

/** Criteria as stored; a row edited by hand into something the evaluator cannot read is named, not guessed at. */
function storedCriteria(r: RuleRow): AtolCriteria {
  const parsed = AtolCriteria.safeParse(r.criteria);
  if (!parsed.success) throw new Error(`ATOL rule ${r.name} (${r.id}) has unreadable criteria: ${parsed.error.issues.map((i) => `${i.path.join('/')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

function toRule(r: RuleRow): AtolRuleView {
  return {
    id: r.id,
    name: r.name,
    priority: r.priority,
    effectiveFrom: isoDate(r.effectiveFrom),
    effectiveTo: r.effectiveTo ? isoDate(r.effectiveTo) : null,
    criteria: storedCriteria(r),
    classification: r.classification as AtolClassification,
  };
}

function toRecord(r: RecordRow): AtolRecordView {
  return {
    bookingRef: r.bookingRef,
    classification: r.classification as AtolClassification,
    ruleId: r.ruleId,
    sellerCountry: r.sellerCountry,
    passengers: r.passengers,
    departureDate: isoDate(r.departureDate),
    revenue: money(r.revenue, r.currency),
    contribution: r.contributionCurrency ? money(r.contribution, r.contributionCurrency) : null,
    entryId: r.entryId,
    classifiedAt: r.classifiedAt.getTime(),
  };
}

function toLicence(l: LicenceRow): AtolLicenceView {
  return {
    number: l.number,
    holder: l.holder,
    turnoverBand: l.turnoverBand,
    returnFrequency: l.returnFrequency as ReturnFrequency,
    validFrom: isoDate(l.validFrom),
    validTo: l.validTo ? isoDate(l.validTo) : null,
  };
}

/** Same rule version content (criteria compared as canonical JSON). */
function sameRule(a: AtolRule, b: AtolRule): boolean {
  const canon = (v: unknown): string =>
    Array.isArray(v)
      ? `[${v.map(canon).join(',')}]`
      : v && typeof v === 'object'
        ? `{${Object.keys(v)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canon((v as Record<string, unknown>)[k])}`)
            .join(',')}}`
        : JSON.stringify(v);
  return a.priority === b.priority && a.effectiveTo === b.effectiveTo && a.classification === b.classification && canon(a.criteria) === canon(b.criteria);
}

/**
 * Installs the default UK rule set and the APC rate: rule versions missing by (name,
 * effectiveFrom) and rates missing by effectiveFrom are created; existing ones are left alone.
 * Safe to call at every start and from concurrent processes.
 */
export async function seedDefaultAtolRules(prisma: PrismaClient): Promise<{ rulesCreated: number; ratesCreated: number }> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${CONFIG_LOCK})`);
    const existing = await tx.atolRule.findMany({ select: { name: true, effectiveFrom: true } });
    const have = new Set(existing.map((r) => `${r.name}|${isoDate(r.effectiveFrom)}`));
    const rules = DEFAULT_ATOL_RULES.filter((r) => !have.has(`${r.name}|${r.effectiveFrom}`));
    if (rules.length) {
      await tx.atolRule.createMany({
        data: rules.map((r) => ({
          name: r.name,
          priority: r.priority,
          effectiveFrom: asDate(r.effectiveFrom),
          effectiveTo: r.effectiveTo ? asDate(r.effectiveTo) : null,
          criteria: r.criteria as Prisma.InputJsonValue,
          classification: r.classification,
        })),
      });
    }
    const rates = await tx.atolContributionRate.createMany({
      data: DEFAULT_CONTRIBUTION_RATES.map((r) => ({ effectiveFrom: asDate(r.effectiveFrom), perPassenger: r.perPassenger, currency: r.currency })),
      skipDuplicates: true,
    });
    return { rulesCreated: rules.length, ratesCreated: rates.count };
  });
}

/**
 * ATOL on PostgreSQL/PGlite: rule versions and contribution rates, classification of bookings
 * with the APC posted to the ledger, licences, and the CAA passenger returns.
 */
export class PrismaAtolStore {
  private readonly bands: readonly TurnoverBand[];

  constructor(
    private readonly prisma: PrismaClient,
    private readonly ledger: Ledger,
    options: { turnoverBands?: readonly TurnoverBand[] } = {},
  ) {
    this.bands = options.turnoverBands ?? DEFAULT_TURNOVER_BANDS;
  }

  seedDefaultAtolRules(): Promise<{ rulesCreated: number; ratesCreated: number }> {
    return seedDefaultAtolRules(this.prisma);
  }

  /** Every rule version, or with `asOf` the rules in force that day in evaluation order. */
  async listRules(asOf?: string): Promise<AtolRuleView[]> {
    const rows = (await this.prisma.atolRule.findMany({ orderBy: [{ priority: 'asc' }, { name: 'asc' }, { effectiveFrom: 'asc' }] })).map(toRule);
    return asOf ? rulesInForce(rows, asOf) : rows;
  }

  /**
   * Adds a rule version. The same version again (same name and effectiveFrom, same content) is a
   * harmless repeat; other content under that name and date is refused: add a later version.
   */
  async addRuleVersion(input: unknown): Promise<{ created: boolean; rule: AtolRuleView }> {
    const parsed = AtolRuleSchema.safeParse(input);
    if (!parsed.success) {
      throw new AtolError('invalid-input', 'The rule is invalid', parsed.error.issues.map((i) => ({ path: i.path.join('/') || '(rule)', message: i.message })));
    }
    const rule: AtolRule = parsed.data;
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${CONFIG_LOCK})`);
      const same = await tx.atolRule.findFirst({ where: { name: rule.name, effectiveFrom: asDate(rule.effectiveFrom) } });
      if (same) {
        const stored = toRule(same);
        if (sameRule(stored, rule)) return { created: false, rule: stored };
        throw new AtolError('rule-conflict', `Rule "${rule.name}" already has a version effective from ${rule.effectiveFrom} with other content; add a version with a later effectiveFrom`);
      }
      const row = await tx.atolRule.create({
        data: {
          name: rule.name,
          priority: rule.priority,
          effectiveFrom: asDate(rule.effectiveFrom),
          effectiveTo: rule.effectiveTo ? asDate(rule.effectiveTo) : null,
          criteria: rule.criteria as Prisma.InputJsonValue,
          classification: rule.classification,
        },
      });
      return { created: true, rule: toRule(row) };
    });
  }

  async listContributionRates(): Promise<ContributionRate[]> {
    const rows = await this.prisma.atolContributionRate.findMany({ orderBy: { effectiveFrom: 'asc' } });
    return rows.map((r) => ({ effectiveFrom: isoDate(r.effectiveFrom), perPassenger: money(r.perPassenger, r.currency).amount, currency: r.currency }));
  }

  /**
   * Classifies a booking with the rules in force on its booking date, posts the APC for a
   * protected one (key `atol-apc:<bookingRef>`) and records the result. Idempotent per booking:
   * the same facts again return the same record; other facts are a `booking-conflict`. The entry
   * is posted first and the record written after it, so a retry after a failure in between finds
   * the entry under its key and completes the record: nothing is posted twice or half-recorded.
   */
  async classifyAndRecord(input: unknown): Promise<ClassifyOutcome> {
    const booking = parseAtolBooking(input);
    const [rules, rates] = await Promise.all([this.listRules(), this.listContributionRates()]);
    const { classification, rule } = classify(rules, booking);
    const rate = isProtected(classification) ? rateInForce(rates, booking.bookingDate) : null;
    const due = rate ? contributionDue(classification, booking.passengers, rate) : null;
    const draft = rate && due ? contributionEntry({ bookingRef: booking.bookingRef, bookingDate: booking.bookingDate, passengers: booking.passengers, rate, amount: due }) : null;
    const ruleRef = { id: rule.id, name: rule.name };

    const existing = await this.prisma.atolBookingRecord.findUnique({ where: { bookingRef: booking.bookingRef } });
    if (existing) return this.repeat(existing, booking, classification, due, draft, ruleRef);

    const entry = draft ? await this.post(draft, booking.bookingRef) : null;
    try {
      const row = await this.prisma.atolBookingRecord.create({
        data: {
          bookingRef: booking.bookingRef,
          classification,
          ruleId: rule.id,
          sellerCountry: booking.sellerCountry,
          passengers: booking.passengers,
          departureDate: asDate(booking.departureDate),
          revenue: booking.revenue.amount,
          currency: booking.revenue.currency,
          contribution: due?.amount ?? '0',
          contributionCurrency: due?.currency ?? null,
          entryId: entry?.id ?? null,
        },
      });
      return { created: true, record: toRecord(row), rule: ruleRef, entry };
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        // Two classifiers raced on one booking: the first record stands.
        const winner = await this.prisma.atolBookingRecord.findUnique({ where: { bookingRef: booking.bookingRef } });
        if (winner) return this.repeat(winner, booking, classification, due, draft, ruleRef);
      }
      throw err;
    }
  }

  async getRecord(bookingRef: string): Promise<AtolRecordView> {
    const row = await this.prisma.atolBookingRecord.findUnique({ where: { bookingRef } });
    if (!row) throw new AtolError('record-not-found', `Booking ${bookingRef} has no ATOL classification`);
    return toRecord(row);
  }

  /** Registers a licence; the same licence again is a repeat, other details under its number a conflict. */
  async createLicence(input: unknown): Promise<{ created: boolean; licence: AtolLicenceView }> {
    const parsed = AtolLicenceInput.safeParse(input);
    if (!parsed.success) {
      throw new AtolError('invalid-input', 'The licence is invalid', parsed.error.issues.map((i) => ({ path: i.path.join('/') || '(licence)', message: i.message })));
    }
    const l = parsed.data;
    const data = {
      number: l.number,
      holder: l.holder,
      turnoverBand: l.turnoverBand,
      returnFrequency: returnFrequencyFor(l.turnoverBand, this.bands),
      validFrom: asDate(l.validFrom),
      validTo: l.validTo ? asDate(l.validTo) : null,
    };
    const same = await this.prisma.atolLicence.findUnique({ where: { number: l.number } });
    const matches = (s: LicenceRow) => {
      const v = toLicence(s);
      return v.holder === l.holder && v.turnoverBand === l.turnoverBand && v.validFrom === l.validFrom && v.validTo === (l.validTo ?? null);
    };
    if (same) {
      if (matches(same)) return { created: false, licence: toLicence(same) };
      throw new AtolError('licence-conflict', `Licence ${l.number} is already registered with other details; change it with an update`);
    }
    try {
      return { created: true, licence: toLicence(await this.prisma.atolLicence.create({ data })) };
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return this.createLicence(input);
      throw err;
    }
  }

  /** Changes a licence's holder, turnover band (and so its return frequency) or end date. */
  async updateLicence(number: string, patch: unknown): Promise<AtolLicenceView> {
    const parsed = AtolLicencePatch.safeParse(patch);
    if (!parsed.success) {
      throw new AtolError('invalid-input', 'The licence change is invalid', parsed.error.issues.map((i) => ({ path: i.path.join('/') || '(licence)', message: i.message })));
    }
    const p = parsed.data;
    const current = await this.getLicence(number);
    const validTo = p.validTo === undefined ? current.validTo : p.validTo;
    if (validTo !== null && validTo < current.validFrom) {
      throw new AtolError('invalid-input', 'The licence change is invalid', [{ path: 'validTo', message: `must not be before validFrom (${current.validFrom})` }]);
    }
    const band = p.turnoverBand ?? current.turnoverBand;
    const row = await this.prisma.atolLicence.update({
      where: { number },
      data: { holder: p.holder ?? current.holder, turnoverBand: band, returnFrequency: returnFrequencyFor(band, this.bands), validTo: validTo ? asDate(validTo) : null },
    });
    return toLicence(row);
  }

  async getLicence(number: string): Promise<AtolLicenceView> {
    const row = await this.prisma.atolLicence.findUnique({ where: { number } });
    if (!row) throw new AtolError('licence-not-found', `No ATOL licence ${number}`);
    return toLicence(row);
  }

  async listLicences(): Promise<AtolLicenceView[]> {
    return (await this.prisma.atolLicence.findMany({ orderBy: { number: 'asc' } })).map(toLicence);
  }

  /**
   * The licence's CAA passenger return for a calendar year (see {@link passengerReturn}), from
   * every protected booking departing that year.
   */
  async passengerReturn(licenceNumber: string, year: number): Promise<PassengerReturn> {
    const licence = await this.getLicence(licenceNumber);
    const protectedClasses = ATOL_CLASSIFICATIONS.filter(isProtected);
    const rows = await this.prisma.atolBookingRecord.findMany({
      where: { classification: { in: [...protectedClasses] }, departureDate: { gte: asDate(`${year}-01-01`), lte: asDate(`${year}-12-31`) } },
      orderBy: { bookingRef: 'asc' },
    });
    const records: ReturnRecord[] = rows.map(toRecord);
    return passengerReturn(licence, year, records);
  }

  private async post(draft: EntryDraft, bookingRef: string): Promise<PostedEntry> {
    try {
      return await this.ledger.post(draft);
    } catch (err) {
      if (err instanceof LedgerError && err.kind === 'idempotency-conflict') {
        throw new AtolError('booking-conflict', `Booking ${bookingRef} already has an ATOL contribution posted for other facts (${err.message})`);
      }
      throw err;
    }
  }

  /** The booking was recorded before: the same facts return it (and its entry); others conflict. */
  private async repeat(
    row: RecordRow,
    booking: AtolBooking,
    classification: AtolClassification,
    due: MoneyJson | null,
    draft: EntryDraft | null,
    rule: { id: string; name: string },
  ): Promise<ClassifyOutcome> {
    const stored = toRecord(row);
    const differences: string[] = [];
    const differ = (what: string, was: unknown, now: unknown) => {
      if (was !== now) differences.push(`${what} was ${String(was)}, now ${String(now)}`);
    };
    differ('classification', stored.classification, classification);
    differ('sellerCountry', stored.sellerCountry, booking.sellerCountry);
    differ('passengers', stored.passengers, booking.passengers);
    differ('departureDate', stored.departureDate, booking.departureDate);
    differ('revenue', `${stored.revenue.amount} ${stored.revenue.currency}`, `${money(booking.revenue.amount, booking.revenue.currency).amount} ${booking.revenue.currency}`);
    differ('contribution', stored.contribution ? `${stored.contribution.amount} ${stored.contribution.currency}` : 'none', due ? `${due.amount} ${due.currency}` : 'none');
    if (differences.length) {
      throw new AtolError('booking-conflict', `Booking ${booking.bookingRef} was already classified with other facts: ${differences.join('; ')}`);
    }
    // Posting the same draft again returns the entry already posted, and refuses a different booking date.
    const entry = draft ? await this.post(draft, booking.bookingRef) : null;
    if (entry && row.entryId !== entry.id) {
      throw new AtolError('booking-conflict', `Booking ${booking.bookingRef} is recorded with entry ${row.entryId}, but its contribution was posted as ${entry.id}`);
    }
    // The record keeps the rule that classified it first (a later rule version with the same outcome changes nothing).
    const storedRule = row.ruleId && row.ruleId !== rule.id ? await this.prisma.atolRule.findUnique({ where: { id: row.ruleId } }) : null;
    return { created: false, record: stored, rule: storedRule ? { id: storedRule.id, name: storedRule.name } : rule, entry };
  }
}
