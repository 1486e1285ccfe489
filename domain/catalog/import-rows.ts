/**
 * Catalog files → model-shaped records (and back), without judging the model: this module only
 * reads the text shapes of a file (JSON syntax, CSV cells holding numbers, booleans and lists) and
 * remembers where each record and field came from, so that the model validation's problems
 * (`rates[3].validTo`) can be reported as "line 12, column valid_to".
 *
 * JSON: an array of model objects, or an object holding it under `suppliers`, `products` or
 * `markupRules`. Row numbers are the array index + 1, fields are the model paths.
 *
 * CSV: comma separated, a header row (line 1), `#` at the start of a line marks a comment line.
 * Row numbers are file lines (header = 1). Cells may be empty where a column does not apply.
 *
 * suppliers.csv, one row per supplier:
 *   code, name, type, active, contacts, iban, bic, account_number, deposit_percent,
 *   balance_due_days, net_days, preferred_payment_method, invoice_currency, payment_currency,
 *   cancellation_policy, amendment_policy
 *   - contacts: `Name|role|email|phone;Name 2|role|email|phone` (trailing parts optional)
 *   - policies: `FROM..TO:BASIS:SCOPE:AMOUNT[:CURRENCY][:NR]` separated by `;`, e.g.
 *     `60..31:PERCENT:PER_PERSON:25;30..0:PERCENT:PER_PERSON:100:NR;0..-1:FIXED:PER_BOOKING:150:EUR:NR`
 *     (NR = non-refundable; CURRENCY for FIXED windows)
 *   - active: true/false, yes/no, 1/0 (empty = true)
 *
 * products.csv, one row per rate, rows of one product grouped by (supplier_code, product_code)
 * wherever they are in the file:
 *   product columns (taken from the first row that fills them; another row may repeat a value
 *   but not contradict it): supplier_code, product_code, type, name, destination, country,
 *   currency, active, min_pax, max_pax, child_bands, taxes, departures, itinerary,
 *   duration_nights, guaranteed_threshold (TOUR), star_rating, address (HOTEL), kind,
 *   duration_hours (GROUND_SERVICE), cover, max_trip_days (INSURANCE)
 *   category columns (the first row naming a category describes it): category, category_name,
 *   max_occupancy, standard_occupancy
 *   rate columns (a row with none of them only describes its product/category): rate_plan,
 *   board_basis, valid_from, valid_to, weekdays, basis, amount, single_supplement, extra_night,
 *   sell_amount
 *   - weekdays: `all` (or empty), `1-5`, `1,2,3`, `6-7` (1 = Monday ... 7 = Sunday)
 *   - child_bands: `MIN-MAX:DISCOUNT_PERCENT;...`, e.g. `0-1:100;2-11:50`
 *   - taxes: `CODE:KIND:AMOUNT[:children][:Name]`, e.g. `CITY:PER_PERSON_PER_NIGHT:3.50;VAT:PERCENT:10:children:Value added tax`
 *   - departures: `DATE[:STATUS]`, e.g. `2027-05-01;2027-05-15:GUARANTEED` (default SCHEDULED)
 *   - itinerary: `DAY|Title|Overnight;...`, e.g. `1|Arrival in Rome|Rome;2|Colosseum|Rome`
 *
 * markup-rules.csv: product_type, channel, percent (`*` or empty = any).
 *
 * Cells cannot contain the separators of their syntax (`;` between items, `|`/`:` inside one).
 */
import { parse } from 'csv-parse/sync';
import type { MarkupRule, PolicyWindow, Product, Rate, Supplier } from './model';

export type ImportKind = 'suppliers' | 'products' | 'markup-rules';
export type ImportFormat = 'csv' | 'json';

export interface RowProblem {
  /** CSV: file line (header = 1); JSON: array index + 1; 0 = the file as a whole. */
  row: number;
  /** CSV column or JSON path; "" for the whole row or file. */
  field: string;
  problem: string;
}

/** One record read from a file, not yet validated against the model. */
export interface SourceRecord {
  /** Where the record starts (CSV: its first line; JSON: index + 1). */
  row: number;
  /** Identifies the record in reports: `SUPPLIER/PRODUCT`, a supplier code, `TYPE/CHANNEL`. */
  key: string;
  input: unknown;
  /** Problems with the text itself (a number that is not one, an unknown column...). */
  problems: RowProblem[];
  /** Where a model path (`rates[3].validTo`) of this record came from in the file. */
  locate(path: string): { row: number; field: string };
}

export interface ReadResult {
  records: SourceRecord[];
  /** Problems with the file as a whole (syntax, header). */
  problems: RowProblem[];
}

const segmentsOf = (path: string) => path.match(/[^.[\]]+/g) ?? [];
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

// ---------------------------------------------------------------------------------------------
// JSON

const JSON_KEYS: Record<ImportKind, string[]> = { suppliers: ['suppliers'], products: ['products'], 'markup-rules': ['markupRules', 'markup-rules', 'rules'] };

function keyOf(kind: ImportKind, input: unknown): string {
  const o = (input ?? {}) as Record<string, unknown>;
  const s = (v: unknown, fallback = '?') => (typeof v === 'string' ? v : v === null ? '*' : fallback);
  if (kind === 'products') return `${s(o.supplierCode)}/${s(o.code)}`;
  if (kind === 'suppliers') return s(o.code);
  return `${s(o.productType)}/${s(o.channel)}`;
}

export function readJson(kind: ImportKind, text: string): ReadResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { records: [], problems: [{ row: 0, field: '', problem: `is not valid JSON: ${(err as Error).message}` }] };
  }
  let list: unknown = doc;
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) {
    const key = JSON_KEYS[kind].find((k) => k in doc);
    list = key ? (doc as Record<string, unknown>)[key] : undefined;
  }
  if (!Array.isArray(list)) {
    return { records: [], problems: [{ row: 0, field: '', problem: `must be an array of ${kind} or an object holding one under "${JSON_KEYS[kind][0]}"` }] };
  }
  const records = list.map((input: unknown, i): SourceRecord => ({
    row: i + 1,
    key: keyOf(kind, input),
    input,
    problems: [],
    locate: (path) => ({ row: i + 1, field: path }),
  }));
  markDuplicates(records);
  return { records, problems: [] };
}

/** A record repeating an earlier one's key is a problem of its own row. */
function markDuplicates(records: SourceRecord[]): void {
  const seen = new Map<string, number>();
  for (const r of records) {
    const first = seen.get(r.key);
    if (first !== undefined) r.problems.push({ row: r.row, field: '', problem: `repeats ${r.key}, already at row ${first}` });
    else seen.set(r.key, r.row);
  }
}

// ---------------------------------------------------------------------------------------------
// CSV cells

interface Cells {
  line: number;
  get(column: string): string;
}

class CellReader {
  readonly problems: RowProblem[] = [];
  constructor(private readonly line: number) {}

  private fail(field: string, problem: string) {
    this.problems.push({ row: this.line, field, problem });
    return undefined;
  }

  int(field: string, cell: string): number | undefined {
    if (cell === '') return undefined;
    return /^-?\d{1,9}$/.test(cell) ? Number(cell) : this.fail(field, `"${cell}" is not a whole number`);
  }

  /** A plain (non-money) number such as a star rating or a duration in hours. */
  number(field: string, cell: string): number | undefined {
    if (cell === '') return undefined;
    return /^\d{1,9}(\.\d{1,6})?$/.test(cell) ? Number(cell) : this.fail(field, `"${cell}" is not a number`);
  }

  decimal(cell: string): string | undefined {
    return cell === '' ? undefined : cell;
  }

  bool(field: string, cell: string, fallback: boolean): boolean | undefined {
    if (cell === '') return fallback;
    const c = cell.toLowerCase();
    if (['true', 'yes', 'y', '1'].includes(c)) return true;
    if (['false', 'no', 'n', '0'].includes(c)) return false;
    return this.fail(field, `"${cell}" is not true/false (or yes/no, 1/0)`);
  }

  items(cell: string): string[] {
    return cell
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean);
  }

  weekdays(field: string, cell: string): number[] | undefined {
    if (cell === '' || cell.toLowerCase() === 'all') return [1, 2, 3, 4, 5, 6, 7];
    const days = new Set<number>();
    for (const part of cell.split(',').map((s) => s.trim())) {
      const m = /^([1-7])(?:-([1-7]))?$/.exec(part);
      if (!m) return this.fail(field, `"${cell}" is not a list of weekdays such as "all", "1-5" or "1,3,5" (1 = Monday ... 7 = Sunday)`);
      const from = Number(m[1]);
      const to = m[2] ? Number(m[2]) : from;
      if (to < from) return this.fail(field, `"${part}" runs backwards: write the lower weekday first`);
      for (let d = from; d <= to; d++) days.add(d);
    }
    return [...days].sort((a, b) => a - b);
  }

  childBands(field: string, cell: string) {
    const out: { minAge?: number; maxAge?: number; discountPercent: string }[] = [];
    for (const item of this.items(cell)) {
      const m = /^(\d+)-(\d+):(.+)$/.exec(item);
      if (!m) {
        this.fail(field, `"${item}" is not MIN-MAX:DISCOUNT, e.g. "2-11:50"`);
        continue;
      }
      out.push({ minAge: Number(m[1]), maxAge: Number(m[2]), discountPercent: m[3]!.trim() });
    }
    return out;
  }

  taxes(field: string, cell: string) {
    const out: { code: string; name: string; kind: string; amount: string; appliesToChildren: boolean }[] = [];
    for (const item of this.items(cell)) {
      const [code, kind, amount, ...rest] = item.split(':').map((s) => s.trim());
      if (!code || !kind || !amount) {
        this.fail(field, `"${item}" is not CODE:KIND:AMOUNT[:children][:Name], e.g. "CITY:PER_PERSON_PER_NIGHT:3.50"`);
        continue;
      }
      let appliesToChildren = false;
      if (rest[0] === 'children' || rest[0] === 'adults') appliesToChildren = rest.shift() === 'children';
      out.push({ code, name: rest.length ? rest.join(':') : code, kind, amount, appliesToChildren });
    }
    return out;
  }

  departures(cell: string) {
    return this.items(cell).map((item) => {
      const [date, status] = item.split(':').map((s) => s.trim());
      return { date: date ?? '', status: status || 'SCHEDULED' };
    });
  }

  itinerary(field: string, cell: string) {
    const out: { day?: number; title: string; overnight?: string }[] = [];
    for (const item of this.items(cell)) {
      const [day, title, overnight] = item.split('|').map((s) => s.trim());
      const n = this.int(field, day ?? '');
      out.push({ ...(n !== undefined && { day: n }), title: title ?? '', ...(overnight && { overnight }) });
    }
    return out;
  }

  contacts(field: string, cell: string) {
    return this.items(cell).map((item) => {
      const [name, role, email, phone] = item.split('|').map((s) => s.trim());
      return { name: name ?? '', ...(role && { role }), ...(email && { email }), ...(phone && { phone }) };
    });
  }

  policy(field: string, cell: string): { windows: Partial<PolicyWindow>[] } {
    const windows: Partial<PolicyWindow>[] = [];
    for (const item of this.items(cell)) {
      const [range, basis, scope, amount, ...rest] = item.split(':').map((s) => s.trim());
      const m = /^(-?\d+)\.\.(-?\d+)$/.exec(range ?? '');
      if (!m || !basis || !scope || !amount) {
        this.fail(field, `"${item}" is not FROM..TO:BASIS:SCOPE:AMOUNT[:CURRENCY][:NR], e.g. "30..0:PERCENT:PER_PERSON:100:NR"`);
        continue;
      }
      const nonRefundable = rest.some((r) => r.toUpperCase() === 'NR');
      const currency = rest.find((r) => r.toUpperCase() !== 'NR');
      windows.push({ fromDaysBefore: Number(m[1]), toDaysBefore: Number(m[2]), basis: basis as PolicyWindow['basis'], scope: scope as PolicyWindow['scope'], amount, ...(currency && { currency }), nonRefundable });
    }
    return { windows };
  }
}

// ---------------------------------------------------------------------------------------------
// CSV files

const SUPPLIER_COLUMNS = [
  'code', 'name', 'type', 'active', 'contacts', 'iban', 'bic', 'account_number', 'deposit_percent', 'balance_due_days', 'net_days',
  'preferred_payment_method', 'invoice_currency', 'payment_currency', 'cancellation_policy', 'amendment_policy',
] as const;
const PRODUCT_COLUMNS = [
  'supplier_code', 'product_code', 'type', 'name', 'destination', 'country', 'currency', 'active', 'min_pax', 'max_pax', 'child_bands', 'taxes',
  'departures', 'itinerary', 'duration_nights', 'guaranteed_threshold', 'star_rating', 'address', 'kind', 'duration_hours', 'cover', 'max_trip_days',
] as const;
const CATEGORY_COLUMNS = ['category', 'category_name', 'max_occupancy', 'standard_occupancy'] as const;
const RATE_COLUMNS = ['rate_plan', 'board_basis', 'valid_from', 'valid_to', 'weekdays', 'basis', 'amount', 'single_supplement', 'extra_night', 'sell_amount'] as const;
const MARKUP_COLUMNS = ['product_type', 'channel', 'percent'] as const;

export const CSV_COLUMNS: Record<ImportKind, readonly string[]> = {
  suppliers: SUPPLIER_COLUMNS,
  products: [...PRODUCT_COLUMNS, ...CATEGORY_COLUMNS, ...RATE_COLUMNS],
  'markup-rules': MARKUP_COLUMNS,
};
const REQUIRED: Record<ImportKind, readonly string[]> = { suppliers: ['code'], products: ['supplier_code', 'product_code'], 'markup-rules': ['percent'] };

function csvRows(kind: ImportKind, text: string): { rows: Cells[]; problems: RowProblem[] } {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, { bom: true, comment: '#', comment_no_infix: true, skip_empty_lines: true, trim: true, relax_column_count: true, info: true }) as never;
  } catch (err) {
    const e = err as Error & { lines?: number };
    return { rows: [], problems: [{ row: e.lines ?? 0, field: '', problem: `is not valid CSV: ${e.message}` }] };
  }
  const [header, ...body] = parsed;
  if (!header) return { rows: [], problems: [{ row: 0, field: '', problem: 'is empty: a header row is expected' }] };
  const headerLine = header.info.lines;
  const columns = header.record.map((c) => c.toLowerCase());
  const problems: RowProblem[] = [];
  const known = new Set(CSV_COLUMNS[kind]);
  columns.forEach((c) => {
    if (!known.has(c)) problems.push({ row: headerLine, field: c, problem: `is not a column of a ${kind} file (expected some of: ${CSV_COLUMNS[kind].join(', ')})` });
  });
  for (const c of REQUIRED[kind]) if (!columns.includes(c)) problems.push({ row: headerLine, field: c, problem: 'column is missing' });
  const index = new Map(columns.map((c, i) => [c, i]));
  const rows = body.map(({ record, info }): Cells => {
    // csv-parse counts the lines read up to the record's end; a quoted cell may span lines.
    const line = info.lines - record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
    if (record.length !== columns.length) problems.push({ row: line, field: '', problem: `has ${record.length} cells, the header has ${columns.length}` });
    return { line, get: (c) => record[index.get(c) ?? -1] ?? '' };
  });
  return { rows, problems };
}

export function readCsv(kind: ImportKind, text: string): ReadResult {
  const { rows, problems } = csvRows(kind, text);
  // Without the file or its key columns no record can be told apart: stop at the header.
  if (problems.some((p) => p.row === 0 || (p.problem === 'column is missing' && REQUIRED[kind].includes(p.field)))) return { records: [], problems };
  const records = kind === 'products' ? productRecords(rows) : rows.map((r) => (kind === 'suppliers' ? supplierRecord(r) : markupRecord(r)));
  markDuplicates(records);
  return { records, problems };
}

const SUPPLIER_FIELD: Record<string, string> = {
  'paymentTerms.depositPercent': 'deposit_percent',
  'paymentTerms.balanceDueDaysBeforeTravel': 'balance_due_days',
  'paymentTerms.netDaysAfterInvoice': 'net_days',
  paymentTerms: 'deposit_percent',
};

function supplierRecord(cells: Cells): SourceRecord {
  const r = new CellReader(cells.line);
  const c = cells.get;
  const input = {
    code: c('code'),
    name: c('name'),
    type: c('type'),
    active: r.bool('active', c('active'), true),
    contacts: r.contacts('contacts', c('contacts')),
    ...(c('iban') && { iban: c('iban') }),
    ...(c('bic') && { bic: c('bic') }),
    ...(c('account_number') && { accountNumber: c('account_number') }),
    paymentTerms: {
      depositPercent: r.decimal(c('deposit_percent')),
      balanceDueDaysBeforeTravel: r.int('balance_due_days', c('balance_due_days')),
      netDaysAfterInvoice: r.int('net_days', c('net_days')),
    },
    preferredPaymentMethod: c('preferred_payment_method'),
    invoiceCurrency: c('invoice_currency'),
    paymentCurrency: c('payment_currency'),
    cancellationPolicy: r.policy('cancellation_policy', c('cancellation_policy')),
    amendmentPolicy: r.policy('amendment_policy', c('amendment_policy')),
  };
  return {
    row: cells.line,
    key: input.code,
    input,
    problems: r.problems,
    locate: (path) => {
      const segs = segmentsOf(path);
      const two = segs.slice(0, 2).join('.');
      const field = SUPPLIER_FIELD[two] ?? SUPPLIER_FIELD[segs[0] ?? ''] ?? (segs[0] ? snake(segs[0]) : '');
      return { row: cells.line, field };
    },
  };
}

function markupRecord(cells: Cells): SourceRecord {
  const any = (v: string) => (v === '' || v === '*' ? null : v);
  const input = { productType: any(cells.get('product_type')), channel: any(cells.get('channel')), percent: cells.get('percent') };
  return { row: cells.line, key: keyOf('markup-rules', input), input, problems: [], locate: (path) => ({ row: cells.line, field: snake(segmentsOf(path)[0] ?? '') }) };
}

const PRODUCT_FIELD: Record<string, string> = { supplierCode: 'supplier_code', code: 'product_code', childBands: 'child_bands', rates: 'rate_plan', categories: 'category' };
const CATEGORY_FIELD: Record<string, string> = { code: 'category', name: 'category_name', maxOccupancy: 'max_occupancy', standardOccupancy: 'standard_occupancy' };

function productRecords(rows: Cells[]): SourceRecord[] {
  const groups = new Map<string, Cells[]>();
  for (const row of rows) {
    const key = `${row.get('supplier_code')}/${row.get('product_code')}`;
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.entries()].map(([key, group]) => productRecord(key, group));
}

function productRecord(key: string, group: Cells[]): SourceRecord {
  const first = group[0]!;
  const r = new CellReader(first.line);
  const problems = r.problems;
  // Product-level value: the first non-empty cell of the column; a different one later is a problem.
  const lineOf = new Map<string, number>();
  const value = (column: string): string => {
    let found = '';
    for (const row of group) {
      const cell = row.get(column);
      if (cell === '') continue;
      if (found === '') {
        found = cell;
        lineOf.set(column, row.line);
      } else if (cell !== found) {
        problems.push({ row: row.line, field: column, problem: `"${cell}" differs from "${found}" on line ${lineOf.get(column)} for the same product` });
      }
    }
    return found;
  };
  const at = (column: string) => new CellReader(lineOf.get(column) ?? first.line);
  const withLine = <T>(column: string, read: (reader: CellReader, cell: string) => T): T => {
    const cell = value(column);
    const reader = at(column);
    const out = read(reader, cell);
    problems.push(...reader.problems);
    return out;
  };

  const categories: Record<string, unknown>[] = [];
  const categoryLines: number[] = [];
  const rates: Record<string, unknown>[] = [];
  const rateLines: number[] = [];
  const categoryAt = new Map<string, { cat: Record<string, unknown>; line: number }>();
  for (const row of group) {
    const reader = new CellReader(row.line);
    const code = row.get('category');
    if (code) {
      const described = {
        name: row.get('category_name'),
        maxOccupancy: reader.int('max_occupancy', row.get('max_occupancy')),
        standardOccupancy: reader.int('standard_occupancy', row.get('standard_occupancy')),
      };
      const known = categoryAt.get(code);
      if (!known) {
        const cat = { code, ...described };
        categoryAt.set(code, { cat, line: row.line });
        categories.push(cat);
        categoryLines.push(row.line);
      } else {
        for (const [field, column] of [['name', 'category_name'], ['maxOccupancy', 'max_occupancy'], ['standardOccupancy', 'standard_occupancy']] as const) {
          const v = described[field];
          if (v === '' || v === undefined) continue;
          if (known.cat[field] === '' || known.cat[field] === undefined) known.cat[field] = v;
          else if (known.cat[field] !== v) problems.push({ row: row.line, field: column, problem: `"${v}" differs from "${String(known.cat[field])}" on line ${known.line} for category ${code}` });
        }
      }
    }
    if (RATE_COLUMNS.some((c) => row.get(c) !== '')) {
      const rate: Partial<Record<keyof Rate, unknown>> = {
        category: code,
        ratePlan: row.get('rate_plan'),
        ...(row.get('board_basis') && { boardBasis: row.get('board_basis') }),
        validFrom: row.get('valid_from'),
        validTo: row.get('valid_to'),
        weekdays: reader.weekdays('weekdays', row.get('weekdays')),
        basis: row.get('basis'),
        amount: row.get('amount'),
      };
      for (const [field, column] of [['singleSupplement', 'single_supplement'], ['extraNight', 'extra_night'], ['sellAmount', 'sell_amount']] as const) {
        if (row.get(column)) rate[field] = row.get(column);
      }
      rates.push(rate);
      rateLines.push(row.line);
    }
    problems.push(...reader.problems);
  }

  const type = value('type');
  const base: Record<string, unknown> = {
    supplierCode: first.get('supplier_code'),
    code: first.get('product_code'),
    type,
    name: value('name'),
    destination: value('destination'),
    country: value('country'),
    currency: value('currency'),
    active: withLine('active', (rd, cell) => rd.bool('active', cell, true)),
    minPax: withLine('min_pax', (rd, cell) => rd.int('min_pax', cell)),
    maxPax: withLine('max_pax', (rd, cell) => rd.int('max_pax', cell)),
    categories,
    rates,
    childBands: withLine('child_bands', (rd, cell) => rd.childBands('child_bands', cell)),
    taxes: withLine('taxes', (rd, cell) => rd.taxes('taxes', cell)),
  };
  const int = (column: string) => withLine(column, (rd, cell) => rd.int(column, cell));
  const optional = (field: string, v: unknown) => (v === undefined || v === '' ? {} : { [field]: v });
  let input: Record<string, unknown> = base;
  if (type === 'TOUR') {
    input = {
      ...base,
      itinerary: withLine('itinerary', (rd, cell) => rd.itinerary('itinerary', cell)),
      durationNights: int('duration_nights'),
      departures: withLine('departures', (rd, cell) => rd.departures(cell)),
      guaranteedThreshold: int('guaranteed_threshold'),
    };
  } else if (type === 'HOTEL') {
    input = { ...base, ...optional('starRating', withLine('star_rating', (rd, cell) => rd.number('star_rating', cell))), ...optional('address', value('address')) };
  } else if (type === 'GROUND_SERVICE') {
    input = { ...base, kind: value('kind'), ...optional('durationHours', withLine('duration_hours', (rd, cell) => rd.number('duration_hours', cell))) };
  } else if (type === 'INSURANCE') {
    input = { ...base, cover: value('cover'), maxTripDays: int('max_trip_days') };
  }

  return {
    row: first.line,
    key,
    input,
    problems,
    locate: (path) => {
      const [top = '', index, field] = segmentsOf(path);
      const i = Number(index);
      if (top === 'rates' && Number.isInteger(i) && rateLines[i] !== undefined) {
        return { row: rateLines[i], field: field ? (field === 'category' ? 'category' : snake(field)) : 'rate_plan' };
      }
      if (top === 'categories' && Number.isInteger(i) && categoryLines[i] !== undefined) {
        return { row: categoryLines[i], field: field ? (CATEGORY_FIELD[field] ?? snake(field)) : 'category' };
      }
      const column = PRODUCT_FIELD[top] ?? snake(top);
      return { row: lineOf.get(column) ?? first.line, field: column };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Writing CSV (the generator and round-trip tests)

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const s = String(value);
  return /[",\n\r#]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvText(columns: readonly string[], rows: Record<string, unknown>[]): string {
  return [columns.join(','), ...rows.map((row) => columns.map((c) => csvCell(row[c])).join(','))].join('\n') + '\n';
}

export function weekdaysCell(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length === 7) return 'all';
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j + 1;
  }
  return parts.join(',');
}

const policyCell = (windows: readonly PolicyWindow[]) =>
  windows.map((w) => [`${w.fromDaysBefore}..${w.toDaysBefore}`, w.basis, w.scope, w.amount, ...(w.currency ? [w.currency] : []), ...(w.nonRefundable ? ['NR'] : [])].join(':')).join(';');

export function suppliersToCsv(suppliers: readonly Supplier[]): string {
  return csvText(
    SUPPLIER_COLUMNS,
    suppliers.map((s) => ({
      code: s.code,
      name: s.name,
      type: s.type,
      active: s.active,
      contacts: s.contacts.map((c) => [c.name, c.role ?? '', c.email ?? '', c.phone ?? ''].join('|').replace(/\|+$/, '')).join(';'),
      iban: s.iban,
      bic: s.bic,
      account_number: s.accountNumber,
      deposit_percent: s.paymentTerms.depositPercent,
      balance_due_days: s.paymentTerms.balanceDueDaysBeforeTravel,
      net_days: s.paymentTerms.netDaysAfterInvoice,
      preferred_payment_method: s.preferredPaymentMethod,
      invoice_currency: s.invoiceCurrency,
      payment_currency: s.paymentCurrency,
      cancellation_policy: policyCell(s.cancellationPolicy.windows),
      amendment_policy: policyCell(s.amendmentPolicy.windows),
    })),
  );
}

/** One row per rate (plus one row per category without rates); product columns on the first row only. */
export function productsToCsv(products: readonly Product[]): string {
  const rows: Record<string, unknown>[] = [];
  for (const p of products) {
    const head: Record<string, unknown> = {
      supplier_code: p.supplierCode,
      product_code: p.code,
      type: p.type,
      name: p.name,
      destination: p.destination,
      country: p.country,
      currency: p.currency,
      active: p.active,
      min_pax: p.minPax,
      max_pax: p.maxPax,
      child_bands: p.childBands.map((b) => `${b.minAge}-${b.maxAge}:${b.discountPercent}`).join(';'),
      taxes: p.taxes.map((t) => [t.code, t.kind, t.amount, ...(t.appliesToChildren ? ['children'] : []), ...(t.name !== t.code ? [t.name] : [])].join(':')).join(';'),
    };
    if (p.type === 'TOUR') {
      Object.assign(head, {
        departures: p.departures.map((d) => (d.status === 'SCHEDULED' ? d.date : `${d.date}:${d.status}`)).join(';'),
        itinerary: p.itinerary.map((d) => [d.day, d.title, ...(d.overnight ? [d.overnight] : [])].join('|')).join(';'),
        duration_nights: p.durationNights,
        guaranteed_threshold: p.guaranteedThreshold,
      });
    } else if (p.type === 'HOTEL') Object.assign(head, { star_rating: p.starRating, address: p.address });
    else if (p.type === 'GROUND_SERVICE') Object.assign(head, { kind: p.kind, duration_hours: p.durationHours });
    else Object.assign(head, { cover: p.cover, max_trip_days: p.maxTripDays });

    const described = new Set<string>();
    const category = (code: string) => {
      if (described.has(code)) return { category: code };
      described.add(code);
      const c = p.categories.find((x) => x.code === code);
      return { category: code, category_name: c?.name, max_occupancy: c?.maxOccupancy, standard_occupancy: c?.standardOccupancy };
    };
    const productRows: Record<string, unknown>[] = p.rates.map((rate) => ({
      ...category(rate.category),
      rate_plan: rate.ratePlan,
      board_basis: rate.boardBasis,
      valid_from: rate.validFrom,
      valid_to: rate.validTo,
      weekdays: weekdaysCell(rate.weekdays),
      basis: rate.basis,
      amount: rate.amount,
      single_supplement: rate.singleSupplement,
      extra_night: rate.extraNight,
      sell_amount: rate.sellAmount,
    }));
    for (const c of p.categories) if (!described.has(c.code)) productRows.push(category(c.code));
    if (productRows.length === 0) productRows.push({});
    productRows.forEach((row, i) => rows.push({ supplier_code: p.supplierCode, product_code: p.code, ...(i === 0 && head), ...row }));
  }
  return csvText(CSV_COLUMNS.products, rows);
}

export function markupRulesToCsv(rules: readonly MarkupRule[]): string {
  return csvText(MARKUP_COLUMNS, rules.map((r) => ({ product_type: r.productType ?? '*', channel: r.channel ?? '*', percent: r.percent })));
}

export function readRecords(kind: ImportKind, format: ImportFormat, text: string): ReadResult {
  return format === 'json' ? readJson(kind, text) : readCsv(kind, text);
}
