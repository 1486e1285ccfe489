import fc from 'fast-check';
import { dedupKeysOf, findDuplicateClusters, nameSimilarity } from '../dedup';
import { DEFAULT_DEDUP_CONFIG, type DedupKeys, type LegacyCustomer } from '../model';
import { addDays } from '../../catalog/dates';

const key = (legacyId: string, k: Partial<DedupKeys> = {}): DedupKeys => ({
  legacyId,
  emails: [],
  phones: [],
  firstName: 'john',
  lastName: 'smith',
  completeness: 5,
  ...k,
});
const run = (keys: DedupKeys[]) => findDuplicateClusters(keys, DEFAULT_DEDUP_CONFIG);
const memberSets = (keys: DedupKeys[]) => run(keys).clusters.map((c) => c.memberLegacyIds);

describe('nameSimilarity', () => {
  it('tolerates typos, transliterations, initials and swapped names but not different first names', () => {
    const n = (firstName: string, lastName: string) => ({ firstName, lastName });
    expect(nameSimilarity(n('Jon', 'Smith'), n('John', 'Smith'))).toBeGreaterThanOrEqual(0.92);
    expect(nameSimilarity(n('Hans', 'Müller'), n('Hans', 'Mueller'))).toBe(1);
    expect(nameSimilarity(n('J.', 'Smith'), n('John', 'Smith'))).toBeGreaterThanOrEqual(0.8);
    expect(nameSimilarity(n('Smith', 'John'), n('John', 'Smith'))).toBe(1);
    expect(nameSimilarity(n('Jane', 'Smith'), n('John', 'Smith'))).toBeLessThan(0.8);
    expect(nameSimilarity(n('', 'Smith'), n('John', 'Smith'))).toBe(0);
  });
});

describe('findDuplicateClusters', () => {
  it('joins a shared email with a similar name, and says why', () => {
    const { clusters } = run([key('C2', { emails: ['js@x.com'], firstName: 'jon' }), key('C1', { emails: ['js@x.com', 'other@x.com'] }), key('C3')]);
    expect(clusters).toEqual([
      { survivorLegacyId: 'C1', memberLegacyIds: ['C1', 'C2'], reasons: [{ a: 'C1', b: 'C2', rule: 'email', score: expect.closeTo(0.933, 2) }] },
    ]);
  });

  it('keeps spouses sharing a household email and phone apart', () => {
    expect(memberSets([key('C1', { emails: ['smiths@x.com'], phones: ['+442079460000'] }), key('C2', { firstName: 'jane', emails: ['smiths@x.com'], phones: ['+442079460000'] })])).toEqual([]);
  });

  it('joins a shared phone, and the same birth date with a near-identical name', () => {
    expect(memberSets([key('A', { phones: ['+442079460000'] }), key('B', { phones: ['+442079460000'], firstName: 'jonh' })])).toEqual([['A', 'B']]);
    const dob = '1961-03-02';
    expect(
      memberSets([
        key('A', { dateOfBirth: dob, firstName: 'hans', lastName: 'müller' }),
        key('B', { dateOfBirth: dob, firstName: 'hans', lastName: 'mueller' }),
        key('C', { dateOfBirth: dob, firstName: 'anna', lastName: 'müller' }),
        key('D', { dateOfBirth: '1961-03-03', firstName: 'hans', lastName: 'muller' }),
      ]),
    ).toEqual([['A', 'B']]);
  });

  it('joins transitively', () => {
    expect(memberSets([key('A', { emails: ['a@x.com'] }), key('B', { emails: ['a@x.com'], phones: ['+12125550100'] }), key('C', { phones: ['+12125550100'] })])).toEqual([['A', 'B', 'C']]);
  });

  it('skips and reports blocks over maxBlockSize', () => {
    const keys = Array.from({ length: 4 }, (_, i) => key(`C${i}`, { phones: ['+442079460000'] }));
    const result = findDuplicateClusters(keys, { ...DEFAULT_DEDUP_CONFIG, maxBlockSize: 3 });
    expect(result).toEqual({ clusters: [], oversizedBlocks: [{ key: 'phone:+442079460000', size: 4 }] });
  });

  it('picks the survivor by latest activity, then completeness, then smallest id', () => {
    const e = { emails: ['s@x.com'] };
    expect(run([key('A', { ...e, lastActivity: '2010-01-01', completeness: 9 }), key('B', { ...e, lastActivity: '2015-01-01' })]).clusters[0]?.survivorLegacyId).toBe('B');
    expect(run([key('A', { ...e, completeness: 3 }), key('B', { ...e, completeness: 4 })]).clusters[0]?.survivorLegacyId).toBe('B');
    expect(run([key('B', e), key('A', e)]).clusters[0]?.survivorLegacyId).toBe('A');
  });

  // A population of distinct people (each their own birth date, email and phone), planted
  // duplicates of some, and spouses of others who share the household email but not a first name.
  const FIRST = ['john', 'mary', 'peter', 'susan', 'robert', 'linda', 'ahmed', 'yuki', 'olga', 'carlos', 'fatima', 'wei'];
  const LAST = ['thompson', 'okonkwo', 'fernandez', 'kowalski', 'nakamura', 'schneider', 'oconnell', 'lindqvist'];
  const spouseOf = (first: string) => FIRST.find((f) => nameSimilarity({ firstName: f, lastName: 'x' }, { firstName: first, lastName: 'x' }) < DEFAULT_DEDUP_CONFIG.sharedContactNameThreshold)!;
  const population = fc
    .array(fc.record({ first: fc.constantFrom(...FIRST), last: fc.constantFrom(...LAST), plant: fc.constantFrom('none', 'email', 'phone', 'dob', 'spouse'), typoAt: fc.nat() }), { minLength: 1, maxLength: 40 })
    .map((people) => {
      const keys: DedupKeys[] = [];
      const planted: [string, string][] = [];
      const spouses: [string, string][] = [];
      people.forEach((p, i) => {
        const id = `P${String(i).padStart(3, '0')}`;
        const base = key(id, { firstName: p.first, lastName: p.last, emails: [`p${i}@x.com`], phones: [`+4420794${String(i).padStart(5, '0')}`], dateOfBirth: addDays('1950-01-01', i * 3) });
        keys.push(base);
        const dupId = `${id}-dup`;
        // One letter dropped inside the last name (all are 6+ letters): similarity stays >= 0.92.
        const at = 3 + (p.typoAt % (p.last.length - 4));
        const typo = p.last.slice(0, at) + p.last.slice(at + 1);
        if (p.plant === 'email') keys.push(key(dupId, { firstName: p.first, lastName: typo, emails: base.emails }));
        if (p.plant === 'phone') keys.push(key(dupId, { firstName: p.first, lastName: p.last, phones: base.phones }));
        if (p.plant === 'dob') keys.push(key(dupId, { firstName: p.last, lastName: p.first, dateOfBirth: base.dateOfBirth }));
        if (p.plant !== 'none' && p.plant !== 'spouse') planted.push([id, dupId]);
        if (p.plant === 'spouse') {
          keys.push(key(`${id}-spouse`, { firstName: spouseOf(p.first), lastName: p.last, emails: base.emails, phones: base.phones }));
          spouses.push([id, `${id}-spouse`]);
        }
      });
      return { keys, planted, spouses };
    });

  it('finds every planted duplicate, never joins spouses, and returns disjoint clusters', () => {
    fc.assert(
      fc.property(population, ({ keys, planted, spouses }) => {
        const { clusters } = run(keys);
        const clusterOf = new Map<string, number>();
        clusters.forEach((c, i) => {
          expect(c.memberLegacyIds.length).toBeGreaterThanOrEqual(2);
          expect(c.memberLegacyIds).toContain(c.survivorLegacyId);
          for (const m of c.memberLegacyIds) {
            expect(clusterOf.has(m)).toBe(false); // disjoint
            clusterOf.set(m, i);
          }
        });
        for (const [a, b] of planted) expect(clusterOf.get(a)).toBe(clusterOf.get(b) ?? -1);
        for (const [a, b] of spouses) expect(clusterOf.has(a) && clusterOf.get(a) === clusterOf.get(b)).toBe(false);
        expect(clusters.length).toBe(planted.length);
      }),
      { numRuns: 100 },
    );
  });

  it('does not depend on the order of the input', () => {
    fc.assert(
      fc.property(
        population.chain((p) => fc.tuple(fc.constant(p.keys), fc.shuffledSubarray(p.keys, { minLength: p.keys.length, maxLength: p.keys.length }))),
        ([keys, shuffled]) => {
          expect(run(shuffled)).toEqual(run(keys));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('dedupKeysOf', () => {
  it('takes normalised contacts, name keys, activity and completeness from a customer', () => {
    const c: LegacyCustomer = {
      legacyId: 'C1',
      row: 2,
      firstName: 'José',
      lastName: "O'Brien",
      dateOfBirth: '1970-01-01',
      createdOn: '2001-05-05',
      emails: [{ address: 'J@x.com', normalized: 'j@x.com', primary: true }],
      phones: [{ raw: '020 7946 0000', e164: '+442079460000', kind: 'HOME', primary: true }],
      preferences: { dietary: ['vegan'], preferredAirlines: [], anniversaries: [] },
      contactPreferences: { doNotContact: false },
      paymentMethods: [],
    };
    expect(dedupKeysOf(c)).toEqual({ legacyId: 'C1', emails: ['j@x.com'], phones: ['+442079460000'], firstName: 'jose', lastName: 'obrien', dateOfBirth: '1970-01-01', lastActivity: '2001-05-05', completeness: 6 });
    expect(dedupKeysOf(c, '2019-09-09').lastActivity).toBe('2019-09-09');
  });
});
