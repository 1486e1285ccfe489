/**
 * Merging the legacy records of one person into a single profile. The survivor's values lead; the
 * other members (in the order given: most recent activity first is the caller's job) fill the
 * survivor's empty fields; contact details, payment methods and preference lists are united; the
 * audit names every field that came from a member other than the survivor.
 */
import { Dec } from '../money/money';
import { minorUnits } from '../money/currency';
import type { Anniversary, EmailAddress, LegacyCustomer, PaymentMethodOnFile, PhoneNumber } from './model';

/** Loyalty tiers in ascending order; a merge keeps the highest when every member's tier is one of these. */
export const LOYALTY_TIER_ORDER = ['BASIC', 'MEMBER', 'BLUE', 'BRONZE', 'SILVER', 'GOLD', 'PLATINUM', 'DIAMOND'] as const;

export interface MergeResult {
  customer: LegacyCustomer;
  /** Every field (dotted path) whose value, or part of it, came from a member other than the survivor. */
  fieldsTaken: { field: string; fromLegacyId: string }[];
  /** What could not be combined (outstanding balances in other currencies); also appended to the profile's notes. */
  notes: string[];
}

const tierRank = (tier: string): number => (LOYALTY_TIER_ORDER as readonly string[]).indexOf(tier.trim().toUpperCase());

/**
 * One profile from `members` (all records of one person, the survivor among them). Throws a
 * RangeError when `survivorLegacyId` is not a member.
 */
export function mergeCustomers(members: LegacyCustomer[], survivorLegacyId: string): MergeResult {
  const survivor = members.find((m) => m.legacyId === survivorLegacyId);
  if (!survivor) throw new RangeError(`The survivor ${survivorLegacyId} is not one of the members (${members.map((m) => m.legacyId).join(', ')})`);
  const others = members.filter((m) => m !== survivor);
  const fieldsTaken: { field: string; fromLegacyId: string }[] = [];
  const notes: string[] = [];
  const took = (field: string, from: LegacyCustomer) => {
    if (!fieldsTaken.some((f) => f.field === field && f.fromLegacyId === from.legacyId)) fieldsTaken.push({ field, fromLegacyId: from.legacyId });
  };

  /** The survivor's value, else the first other member's. */
  function fill<T>(field: string, get: (c: LegacyCustomer) => T | undefined): T | undefined {
    const own = get(survivor!);
    if (own !== undefined && own !== '') return own;
    for (const o of others) {
      const v = get(o);
      if (v !== undefined && v !== '') {
        took(field, o);
        return v;
      }
    }
    return undefined;
  }

  /** The survivor's items, then each other member's new ones (by `key`). */
  function union<T>(field: string, get: (c: LegacyCustomer) => T[], key: (item: T) => string): T[] {
    const out = [...get(survivor!)];
    const seen = new Set(out.map(key));
    for (const o of others) {
      for (const item of get(o)) {
        if (seen.has(key(item))) continue;
        seen.add(key(item));
        out.push(item);
        took(field, o);
      }
    }
    return out;
  }

  const emails = onePrimary(union<EmailAddress>('emails', (c) => c.emails, (e) => e.normalized));
  const phones = onePrimary(union<PhoneNumber>('phones', (c) => c.phones, (p) => p.e164));
  const paymentMethods = union<PaymentMethodOnFile>('paymentMethods', (c) => c.paymentMethods, (p) => p.token);

  // Customer since the earliest record of the person.
  let createdOn = survivor.createdOn;
  for (const o of others) {
    if (o.createdOn !== undefined && (createdOn === undefined || o.createdOn < createdOn)) {
      createdOn = o.createdOn;
      took('createdOn', o);
    }
  }

  // Marketing contact: one member's "do not contact" binds the merged profile.
  let doNotContact = survivor.contactPreferences.doNotContact;
  for (const o of others) {
    if (o.contactPreferences.doNotContact && !doNotContact) {
      doNotContact = true;
      took('contactPreferences.doNotContact', o);
    }
  }

  const loyaltyTier = mergeTier(survivor, others, took, fill);

  let loyaltyBalance: number | undefined = survivor.loyaltyBalance;
  for (const o of others) {
    if (o.loyaltyBalance === undefined) continue;
    // The stated balances add up, so reconciliation compares them with the merged transaction log.
    loyaltyBalance = (loyaltyBalance ?? 0) + o.loyaltyBalance;
    took('loyaltyBalance', o);
  }

  let financial = fill('financial', (c) => c.financial);
  if (financial) {
    const lead = members.find((m) => m.financial === financial)!;
    let outstanding = new Dec(financial.outstandingBalance);
    let creditLimit = financial.creditLimit;
    for (const o of members) {
      if (o === lead || !o.financial) continue;
      if (o.financial.currency !== financial.currency) {
        notes.push(`Outstanding balance ${o.financial.outstandingBalance} ${o.financial.currency} of legacy customer ${o.legacyId} was not combined with the ${financial.currency} balance (different currency).`);
        continue;
      }
      if (!new Dec(o.financial.outstandingBalance).isZero()) {
        outstanding = outstanding.plus(o.financial.outstandingBalance);
        took('financial.outstandingBalance', o);
      }
      if (creditLimit === undefined && o.financial.creditLimit !== undefined) {
        creditLimit = o.financial.creditLimit;
        took('financial.creditLimit', o);
      }
    }
    financial = { currency: financial.currency, ...(creditLimit !== undefined ? { creditLimit } : {}), outstandingBalance: outstanding.toFixed(minorUnits(financial.currency)) };
  }

  const ownNotes = fill('preferences.notes', (c) => c.preferences.notes);
  const allNotes = [ownNotes, ...notes].filter((n): n is string => !!n).join('\n');
  const v = {
    title: fill('title', (c) => c.title),
    firstName: fill('firstName', (c) => c.firstName),
    dateOfBirth: fill('dateOfBirth', (c) => c.dateOfBirth),
    address: fill('address', (c) => c.address),
    advisorId: fill('advisorId', (c) => c.advisorId),
    householdId: fill('householdId', (c) => c.householdId),
    cabinClass: fill('preferences.cabinClass', (c) => c.preferences.cabinClass),
    seat: fill('preferences.seat', (c) => c.preferences.seat),
    preferredChannel: fill('contactPreferences.preferredChannel', (c) => c.contactPreferences.preferredChannel),
    language: fill('contactPreferences.language', (c) => c.contactPreferences.language),
  };
  const customer: LegacyCustomer = {
    legacyId: survivor.legacyId,
    row: survivor.row,
    ...(v.title !== undefined ? { title: v.title } : {}),
    ...(v.firstName !== undefined ? { firstName: v.firstName } : {}),
    lastName: survivor.lastName,
    ...(v.dateOfBirth !== undefined ? { dateOfBirth: v.dateOfBirth } : {}),
    emails,
    phones,
    ...(v.address !== undefined ? { address: v.address } : {}),
    ...(v.advisorId !== undefined ? { advisorId: v.advisorId } : {}),
    ...(v.householdId !== undefined ? { householdId: v.householdId } : {}),
    ...(createdOn !== undefined ? { createdOn } : {}),
    preferences: {
      ...(v.cabinClass !== undefined ? { cabinClass: v.cabinClass } : {}),
      ...(v.seat !== undefined ? { seat: v.seat } : {}),
      dietary: union('preferences.dietary', (c) => c.preferences.dietary, (d) => d.trim().toLowerCase()),
      preferredAirlines: union('preferences.preferredAirlines', (c) => c.preferences.preferredAirlines, (a) => a),
      anniversaries: union<Anniversary>('preferences.anniversaries', (c) => c.preferences.anniversaries, (a) => `${a.kind}|${a.date}`),
      ...(allNotes ? { notes: allNotes } : {}),
    },
    contactPreferences: {
      ...(v.preferredChannel !== undefined ? { preferredChannel: v.preferredChannel } : {}),
      ...(v.language !== undefined ? { language: v.language } : {}),
      doNotContact,
    },
    ...(loyaltyTier !== undefined ? { loyaltyTier } : {}),
    ...(loyaltyBalance !== undefined ? { loyaltyBalance } : {}),
    ...(financial ? { financial } : {}),
    paymentMethods,
  };
  return { customer, fieldsTaken, notes };
}

/** The first primary item stays primary (the first item when none is); every other one is not. */
function onePrimary<T extends { primary: boolean }>(items: T[]): T[] {
  const primaryAt = Math.max(0, items.findIndex((i) => i.primary));
  return items.map((item, i) => ({ ...item, primary: i === primaryAt }));
}

function mergeTier(
  survivor: LegacyCustomer,
  others: LegacyCustomer[],
  took: (field: string, from: LegacyCustomer) => void,
  fill: (field: string, get: (c: LegacyCustomer) => string | undefined) => string | undefined,
): string | undefined {
  const withTier = [survivor, ...others].filter((c) => c.loyaltyTier !== undefined && c.loyaltyTier.trim() !== '');
  if (withTier.length === 0 || !withTier.every((c) => tierRank(c.loyaltyTier!) >= 0)) return fill('loyaltyTier', (c) => c.loyaltyTier);
  const best = withTier.reduce((b, c) => (tierRank(c.loyaltyTier!) > tierRank(b.loyaltyTier!) ? c : b));
  if (best !== survivor) took('loyaltyTier', best);
  return best.loyaltyTier;
}
