import fc from 'fast-check';
import { minorUnits } from '../../money/currency';
import { Dec } from '../../money/money';
import { canonicalEntry, netByAccount, reversingLines, validateEntry, type EntryDraft, type PostingLine } from '../entry';

const currency = fc.constantFrom('JPY', 'GBP', 'EUR', 'USD', 'KWD', 'BHD');
const account = fc.constantFrom('asset:bank:main', 'asset:receivable', 'liability:customer-deposits', 'revenue:packages:direct', 'expense:cost-of-sales');
const amountIn = (cur: string) =>
  fc.bigInt({ min: 1n, max: 10n ** 12n }).map((minor) => new Dec(minor.toString()).dividedBy(new Dec(10).pow(minorUnits(cur))).toFixed(minorUnits(cur)));

/** A random balanced entry: each "movement" debits one account and credits another by the same amount. */
const balancedLines = fc
  .array(currency.chain((cur) => fc.tuple(account, account, amountIn(cur), fc.constant(cur))), { minLength: 1, maxLength: 6 })
  .map((moves) =>
    moves.flatMap(([debit, credit, amount, cur]): PostingLine[] => [
      { account: debit, side: 'DEBIT', amount: { amount, currency: cur } },
      { account: credit, side: 'CREDIT', amount: { amount, currency: cur } },
    ]),
  );

const draft = (lines: PostingLine[], key = 'booking-ITN-1:deposit'): EntryDraft => ({ idempotencyKey: key, description: 'Deposit', accountingDate: '2027-01-15', lines });

describe('journal entries', () => {
  it('accept any set of balanced lines, and the trial balance is zero in every currency', () => {
    fc.assert(
      fc.property(fc.array(balancedLines, { minLength: 1, maxLength: 8 }), (entries) => {
        for (const lines of entries) expect(validateEntry(draft(lines))).toEqual([]);
        const totals = new Map<string, Dec>();
        for (const perCurrency of netByAccount(entries.flat()).values()) {
          for (const [cur, net] of perCurrency) totals.set(cur, (totals.get(cur) ?? new Dec(0)).plus(net));
        }
        for (const total of totals.values()) expect(total.isZero()).toBe(true);
      }),
    );
  });

  it('refuse any entry with one amount changed by a single minor unit', () => {
    fc.assert(
      fc.property(balancedLines, fc.nat(), (lines, pick) => {
        const i = pick % lines.length;
        const line = lines[i]!;
        const unit = new Dec(1).dividedBy(new Dec(10).pow(minorUnits(line.amount.currency)));
        const changed = lines.map((l, j) => (j === i ? { ...l, amount: { ...l.amount, amount: new Dec(l.amount.amount).plus(unit).toFixed(minorUnits(l.amount.currency)) } } : l));
        const problems = validateEntry(draft(changed));
        expect(problems.map((p) => p.message).join()).toContain(`does not balance in ${line.amount.currency}`);
      }),
    );
  });

  it('reverse to exactly zero', () => {
    fc.assert(
      fc.property(balancedLines, (lines) => {
        const nets = netByAccount([...lines, ...reversingLines(lines)]);
        for (const perCurrency of nets.values()) for (const net of perCurrency.values()) expect(net.isZero()).toBe(true);
      }),
    );
  });

  it('respect each currency exponent: JPY 0, GBP 2, KWD 3 decimals', () => {
    const line = (amount: string, cur: string, side: 'DEBIT' | 'CREDIT'): PostingLine => ({ account: side === 'DEBIT' ? 'asset:bank' : 'revenue:x', side, amount: { amount, currency: cur } });
    expect(validateEntry(draft([line('1500', 'JPY', 'DEBIT'), line('1500', 'JPY', 'CREDIT')]))).toEqual([]);
    expect(validateEntry(draft([line('1500.5', 'JPY', 'DEBIT'), line('1500.5', 'JPY', 'CREDIT')])).map((p) => p.path)).toEqual(['lines/0/amount/amount', 'lines/1/amount/amount']);
    expect(validateEntry(draft([line('12.345', 'KWD', 'DEBIT'), line('12.345', 'KWD', 'CREDIT')]))).toEqual([]);
    expect(validateEntry(draft([line('12.345', 'GBP', 'DEBIT'), line('12.345', 'GBP', 'CREDIT')]))[0]?.message).toBe('GBP has 2 decimal places; "12.345" has 3');
  });

  it('name every problem of a bad draft at once', () => {
    const problems = validateEntry({
      idempotencyKey: '',
      description: ' ',
      accountingDate: '2027-02-30',
      lines: [{ account: 'Bank', side: 'DEBIT', amount: { amount: '0', currency: 'EUX' } }],
    });
    expect(problems.map((p) => p.path)).toEqual(['idempotencyKey', 'description', 'accountingDate', 'lines', 'lines/0/account', 'lines/0/amount/currency']);
  });

  it('hash the same content the same way whatever the line order or amount spelling', () => {
    const lines: PostingLine[] = [
      { account: 'asset:bank', side: 'DEBIT', amount: { amount: '10.5', currency: 'EUR' } },
      { account: 'revenue:x', side: 'CREDIT', amount: { amount: '10.50', currency: 'EUR' } },
    ];
    expect(canonicalEntry(draft(lines))).toBe(canonicalEntry(draft([...lines].reverse().map((l) => ({ ...l, amount: { ...l.amount, amount: '10.50' } })))));
    expect(canonicalEntry(draft(lines))).not.toBe(canonicalEntry({ ...draft(lines), accountingDate: '2027-01-16' }));
  });
});
