/**
 * Duplicate detection among legacy customers, without comparing every pair: records are grouped
 * into blocks that share a normalised email, an E.164 phone or a birth date, and only pairs inside
 * a block are compared (a block larger than `maxBlockSize`, such as an office switchboard or a
 * placeholder birth date, is skipped and reported). Matches are joined transitively (union-find).
 *
 * Name similarity is the Jaro-Winkler similarity of the first names and of the last names, the
 * lower of the two (also tried with first and last swapped, the better way round counting), so a
 * typo ("Jon"/"John") or a transliteration ("Müller"/"Mueller") still matches while two spouses
 * sharing a household email ("John"/"Jane Smith") do not. A record without a first name is only
 * matched to another without one.
 */
import jaroWinkler from 'talisman/metrics/jaro-winkler';
import type { DedupConfig, DedupKeys, DuplicateCluster, LegacyCustomer, MatchReason } from './model';
import { nameKey } from './normalize';

/** The fields that count towards a record's completeness (the survivor tie-breaker). */
function completenessOf(c: LegacyCustomer): number {
  const filled = [
    c.title, c.firstName, c.dateOfBirth, c.address, c.advisorId, c.householdId, c.createdOn, c.loyaltyTier, c.loyaltyBalance, c.financial,
    c.preferences.cabinClass, c.preferences.seat, c.preferences.notes, c.contactPreferences.preferredChannel, c.contactPreferences.language,
  ].filter((v) => v !== undefined && v !== '').length;
  const lists = [c.emails, c.phones, c.paymentMethods, c.preferences.dietary, c.preferences.preferredAirlines, c.preferences.anniversaries];
  return filled + lists.filter((l) => l.length > 0).length;
}

/** What duplicate detection needs of a customer; `lastActivity` is the latest trip end (else the creation date is used). */
export function dedupKeysOf(c: LegacyCustomer, lastActivity?: string): DedupKeys {
  const activity = lastActivity ?? c.createdOn;
  return {
    legacyId: c.legacyId,
    emails: [...new Set(c.emails.map((e) => e.normalized))].sort(),
    phones: [...new Set(c.phones.map((p) => p.e164))].sort(),
    firstName: nameKey(c.firstName ?? ''),
    lastName: nameKey(c.lastName),
    ...(c.dateOfBirth ? { dateOfBirth: c.dateOfBirth } : {}),
    ...(activity ? { lastActivity: activity } : {}),
    completeness: completenessOf(c),
  };
}

/** German transliterations folded so that "muller" (Müller) and "mueller" compare equal. */
const fold = (key: string): string => key.replace(/ae/g, 'a').replace(/oe/g, 'o').replace(/ue/g, 'u');

/** Jaro-Winkler of two name keys, computed in a fixed argument order so the score is symmetric. */
function similarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a === '' || b === '') return 0;
  return a < b ? jaroWinkler(a, b) : jaroWinkler(b, a);
}

function firstNameSimilarity(a: string, b: string): number {
  if (a === '' && b === '') return 1;
  // An initial ("J") against a full first name it starts ("John").
  if ((a.length === 1 && b.startsWith(a)) || (b.length === 1 && a.startsWith(b))) return 0.9;
  return similarity(a, b);
}

/** nameKey, skipped for a value that already is one (dedupKeysOf stores keys). */
const asNameKey = (s: string): string => (/^[a-z0-9]*(?: [a-z0-9]+)*$/.test(s) ? s : nameKey(s));

interface Prepared {
  keys: DedupKeys;
  first: string;
  last: string;
}

/** The name similarity of two records, 0..1: min(first, last), the better of straight and swapped. */
export function nameSimilarity(a: { firstName: string; lastName: string }, b: { firstName: string; lastName: string }): number {
  const [af, al, bf, bl] = [a.firstName, a.lastName, b.firstName, b.lastName].map((n) => fold(nameKey(n))) as [string, string, string, string];
  return scoreOf(af, al, bf, bl);
}

/**
 * max(min(first, first'), min(last, last')) straight and swapped. Exact whenever it is at least
 * `floor`; below it, some value below `floor` (the Jaro-Winkler calls that cannot change the
 * outcome are skipped: duplicate detection spends its time here).
 */
function scoreOf(af: string, al: string, bf: string, bl: string, floor = 0): number {
  const first = firstNameSimilarity(af, bf);
  const straight = first < floor ? first : Math.min(first, similarity(al, bl));
  if (af === '' || bf === '' || straight === 1) return straight;
  const swappedFirst = similarity(af, bl);
  if (swappedFirst <= straight || swappedFirst < floor) return straight;
  return Math.max(straight, Math.min(swappedFirst, similarity(al, bf)));
}

class UnionFind {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n).map((_, i) => i);
  }
  find(i: number): number {
    let root = i;
    while (this.parent[root] !== root) root = this.parent[root]!;
    while (this.parent[i] !== root) {
      const next = this.parent[i]!;
      this.parent[i] = root;
      i = next;
    }
    return root;
  }
  union(a: number, b: number): void {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The survivor of a cluster: latest activity, then most complete, then the smallest legacy id. */
function survivorOf(members: DedupKeys[]): DedupKeys {
  return members.reduce((best, k) => {
    const activity = byText(k.lastActivity ?? '', best.lastActivity ?? '');
    if (activity !== 0) return activity > 0 ? k : best;
    if (k.completeness !== best.completeness) return k.completeness > best.completeness ? k : best;
    return byText(k.legacyId, best.legacyId) < 0 ? k : best;
  });
}

/** Why two records are the same person, or null. Checked in a fixed rule order, independent of the block that paired them. */
function matchOf(a: Prepared, b: Prepared, config: DedupConfig): MatchReason | null {
  const sharesContact = a.keys.emails.some((e) => b.keys.emails.includes(e)) || a.keys.phones.some((p) => b.keys.phones.includes(p));
  const sameBirthDate = a.keys.dateOfBirth !== undefined && a.keys.dateOfBirth === b.keys.dateOfBirth;
  if (!sharesContact && !sameBirthDate) return null;
  const floor = Math.min(sharesContact ? config.sharedContactNameThreshold : 1, sameBirthDate ? config.nameThreshold : 1);
  const score = scoreOf(a.first, a.last, b.first, b.last, floor);
  const [x, y] = byText(a.keys.legacyId, b.keys.legacyId) <= 0 ? [a.keys.legacyId, b.keys.legacyId] : [b.keys.legacyId, a.keys.legacyId];
  if (score >= config.sharedContactNameThreshold) {
    if (a.keys.emails.some((e) => b.keys.emails.includes(e))) return { a: x, b: y, rule: 'email', score };
    if (a.keys.phones.some((p) => b.keys.phones.includes(p))) return { a: x, b: y, rule: 'phone', score };
  }
  if (sameBirthDate && score >= config.nameThreshold) {
    return { a: x, b: y, rule: 'name-and-birth-date', score };
  }
  return null;
}

/**
 * Groups of records judged to be one person (two or more members each, disjoint), sorted by their
 * first member id, and the blocks too large to compare (sorted by key). The result does not depend
 * on the order of `keys`. Legacy ids must be unique.
 */
export function findDuplicateClusters(keys: DedupKeys[], config: DedupConfig): { clusters: DuplicateCluster[]; oversizedBlocks: { key: string; size: number }[] } {
  const prepared: Prepared[] = keys.map((k) => ({ keys: k, first: fold(asNameKey(k.firstName)), last: fold(asNameKey(k.lastName)) }));
  // One map per kind of blocking key (cheaper than one map of prefixed keys at 100k records).
  const blocksByKind = { email: new Map<string, number[]>(), phone: new Map<string, number[]>(), dob: new Map<string, number[]>() };
  const add = (blocks: Map<string, number[]>, key: string, i: number) => {
    const block = blocks.get(key);
    if (block === undefined) blocks.set(key, [i]);
    else if (block[block.length - 1] !== i) block.push(i);
  };
  prepared.forEach((p, i) => {
    for (const e of p.keys.emails) add(blocksByKind.email, e, i);
    for (const ph of p.keys.phones) add(blocksByKind.phone, ph, i);
    if (p.keys.dateOfBirth) add(blocksByKind.dob, p.keys.dateOfBirth, i);
  });

  const uf = new UnionFind(prepared.length);
  const compared = new Set<number>();
  const n = prepared.length;
  const reasons: MatchReason[] = [];
  const oversizedBlocks: { key: string; size: number }[] = [];
  for (const [kind, blocks] of Object.entries(blocksByKind)) {
    for (const [key, members] of blocks) {
      if (members.length < 2) continue;
      if (members.length > config.maxBlockSize) {
        oversizedBlocks.push({ key: `${kind}:${key}`, size: members.length });
        continue;
      }
      for (let i = 0; i < members.length; i++) {
        for (let j = i + 1; j < members.length; j++) {
          const [p, q] = [members[i]!, members[j]!];
          const pair = p < q ? p * n + q : q * n + p;
          if (compared.has(pair)) continue;
          compared.add(pair);
          const match = matchOf(prepared[p]!, prepared[q]!, config);
          if (match) {
            reasons.push(match);
            uf.union(p, q);
          }
        }
      }
    }
  }

  const groups = new Map<number, DedupKeys[]>();
  prepared.forEach((p, i) => {
    const root = uf.find(i);
    const group = groups.get(root);
    if (group) group.push(p.keys);
    else groups.set(root, [p.keys]);
  });
  const clusterOf = new Map<string, DuplicateCluster>();
  const clusters: DuplicateCluster[] = [];
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const cluster: DuplicateCluster = { survivorLegacyId: survivorOf(members).legacyId, memberLegacyIds: members.map((m) => m.legacyId).sort(byText), reasons: [] };
    for (const id of cluster.memberLegacyIds) clusterOf.set(id, cluster);
    clusters.push(cluster);
  }
  for (const r of reasons) clusterOf.get(r.a)!.reasons.push(r);
  for (const c of clusters) c.reasons.sort((r, s) => byText(r.a, s.a) || byText(r.b, s.b));
  clusters.sort((c, d) => byText(c.memberLegacyIds[0]!, d.memberLegacyIds[0]!));
  oversizedBlocks.sort((a, b) => byText(a.key, b.key));
  return { clusters, oversizedBlocks };
}
