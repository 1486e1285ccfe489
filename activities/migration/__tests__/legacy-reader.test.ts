import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { LegacyFileError, readLegacyChunk, type ReadCheckpoint, type ReadChunk } from '../legacy-reader';
import type { LegacyFileKind, RawRecord, RowIssue } from '../../../domain/customers/model';

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'legacy-reader-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, content: string | Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

async function readAll(p: string, file: LegacyFileKind, chunkSizes: number[] = [1_000_000]) {
  const records: RawRecord[] = [];
  const issues: RowIssue[] = [];
  const checkpoints: ReadCheckpoint[] = [];
  let from: ReadCheckpoint | null = null;
  let bytes = 0;
  let last: ReadChunk;
  for (let i = 0; ; i++) {
    last = await readLegacyChunk({ path: p, file, from, maxRecords: chunkSizes[i % chunkSizes.length]! });
    records.push(...last.records);
    issues.push(...last.issues);
    bytes += last.bytesRead;
    if (!last.next) break;
    checkpoints.push(last.next);
    from = last.next;
  }
  return { records, issues, checkpoints, bytes, bytesTotal: last.bytesTotal };
}

// Lines: 1 header, 2 ok, 3 quoted newline (3-4), 5 blank, 6 wrong field count, 7 Latin-1 bytes,
// 8 stray quote inside an unquoted value, 9 ok with quoted comma and "" escape, 10 unclosed quote (last line).
const latin1Row = Buffer.concat([Buffer.from('C4,'), Buffer.from('M\xfcller', 'latin1'), Buffer.from(','), Buffer.from('Zo\xeb', 'latin1'), Buffer.from(',1961-03-02\r\n')]);
const messyCsv = Buffer.concat([
  Buffer.from('\uFEFFcustomer_id,last_name,first_name,date_of_birth\r\n', 'utf8'),
  Buffer.from('C1,Ørsted,José,1970-01-01\r\n', 'utf8'),
  Buffer.from('C2,"Smith","Multi\r\nline",\r\n'),
  Buffer.from('\r\n'),
  Buffer.from('C3,Jones\r\n'),
  latin1Row,
  Buffer.from('C5,O"Brien,Pat,1980-05-05\r\n'),
  Buffer.from('C6,"Doe, Jr.","Jo ""JJ""",1990-01-01\r\n'),
  Buffer.from('C7,"Never closed,Al,1990-01-01\r\n'),
]);

describe('readLegacyChunk — CSV', () => {
  it('reads RFC 4180 rows, strips the BOM, reports malformed rows with their lines and keeps going, decodes Latin-1 with a warning', async () => {
    const p = write('customers.csv', messyCsv);
    const { records, issues, bytes, bytesTotal } = await readAll(p, 'customers');
    expect(records).toEqual([
      { row: 2, fields: { customer_id: 'C1', last_name: 'Ørsted', first_name: 'José', date_of_birth: '1970-01-01' } },
      { row: 3, fields: { customer_id: 'C2', last_name: 'Smith', first_name: 'Multi\nline' } },
      { row: 7, fields: { customer_id: 'C4', last_name: 'Müller', first_name: 'Zoë', date_of_birth: '1961-03-02' } },
      { row: 9, fields: { customer_id: 'C6', last_name: 'Doe, Jr.', first_name: 'Jo "JJ"', date_of_birth: '1990-01-01' } },
    ]);
    expect(issues.map((i) => [i.row, i.code, i.severity, i.field])).toEqual([
      [6, 'malformed-row', 'ERROR', undefined],
      [7, 'bad-encoding', 'WARNING', 'last_name'],
      [8, 'malformed-row', 'ERROR', undefined],
      [10, 'malformed-row', 'ERROR', undefined],
    ]);
    expect(issues[1]!.message).toMatch(/last_name, first_name are not valid UTF-8; read as Windows-1252 \(Latin-1\)/);
    expect(issues[0]!.message).toMatch(/line 6 has 2 fields, the header has 4/);
    expect(bytes).toBe(bytesTotal);
  });

  it('an unclosed quote in the middle costs only its own line', async () => {
    const lines = ['customer_id,last_name', 'A1,Good', 'A2,"Broken', 'A3,Fine', 'A4,Also fine', 'A5,"ok"'];
    const p = write('unclosed.csv', lines.join('\n') + '\n');
    const { records, issues } = await readAll(p, 'customers');
    expect(records.map((r) => [r.row, r.fields.customer_id])).toEqual([
      [2, 'A1'],
      [4, 'A3'],
      [5, 'A4'],
      [6, 'A5'],
    ]);
    expect(issues.map((i) => [i.row, i.code])).toEqual([[3, 'malformed-row']]);
  });

  it('missing required column → LegacyFileError; unknown columns → one warning on row 1, ignored', async () => {
    const bad = write('bad-header.csv', 'customer_id,first_name\nC1,Ann\n');
    await expect(readLegacyChunk({ path: bad, file: 'customers', from: null, maxRecords: 10 })).rejects.toThrow(LegacyFileError);
    await expect(readLegacyChunk({ path: bad, file: 'customers', from: null, maxRecords: 10 })).rejects.toThrow(/missing required column\(s\) last_name/);
    const empty = write('empty.csv', '');
    await expect(readLegacyChunk({ path: empty, file: 'customers', from: null, maxRecords: 10 })).rejects.toThrow(/no header row/);
    const extra = write('extra.csv', 'Customer_ID,last_name,shoe_size\nC1,Lee,44\nC2,Kim,\n');
    const first = await readLegacyChunk({ path: extra, file: 'customers', from: null, maxRecords: 1 });
    expect(first.issues).toEqual([{ file: 'customers', row: 1, code: 'unknown-column', severity: 'WARNING', message: 'unknown column(s) ignored: shoe_size' }]);
    expect(first.records).toEqual([{ row: 2, fields: { customer_id: 'C1', last_name: 'Lee' } }]);
    const second = await readLegacyChunk({ path: extra, file: 'customers', from: first.next, maxRecords: 1 });
    expect(second.issues).toEqual([]);
    expect(second.records).toEqual([{ row: 3, fields: { customer_id: 'C2', last_name: 'Kim' } }]);
    expect(second.next).toBeNull();
  });

  it('a chunk that ends right before trailing blank lines is the last one', async () => {
    const p = write('trailing.csv', 'customer_id,last_name\nC1,A\nC2,B\n\n\n');
    const chunk = await readLegacyChunk({ path: p, file: 'customers', from: null, maxRecords: 2 });
    expect(chunk.records).toHaveLength(2);
    expect(chunk.next).toBeNull();
  });

  it('chunk after chunk gives exactly one whole pass, whatever the chunk sizes', async () => {
    const many: Buffer[] = [messyCsv];
    for (let i = 0; i < 40; i++) many.push(i % 7 === 0 ? Buffer.from(`X${i},"quoted\nnewline ${i}",Ann,\n`) : i % 11 === 0 ? Buffer.from(`X${i},bad\n`) : Buffer.from(`X${i},Name${i},Bob,2000-01-01\n`));
    const p = write('many.csv', Buffer.concat(many));
    const whole = await readAll(p, 'customers');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }), async (sizes) => {
        const chunked = await readAll(p, 'customers', sizes);
        expect(chunked.records).toEqual(whole.records);
        expect(chunked.issues).toEqual(whole.issues);
        expect(chunked.bytes).toBe(whole.bytesTotal);
      }),
      { numRuns: 25 },
    );
  });
});

describe('readLegacyChunk — JSONL and JSON', () => {
  it('JSONL: one object per line, bad lines reported, values as text, nested objects as JSON, null omitted', async () => {
    const p = write(
      'trips.jsonl',
      Buffer.concat([
        Buffer.from('\uFEFF{"trip_id":"T1","pax":2,"paid":true,"note":null,"empty":"","components":[{"type":"CRUISE"}]}\n', 'utf8'),
        Buffer.from('{not json}\n\n[1,2]\n'),
        Buffer.from('{"trip_id":"T2","destinations":"K\xf6ln"}\n', 'latin1'),
      ]),
    );
    const { records, issues } = await readAll(p, 'trips', [1]);
    expect(records[0]).toEqual({
      row: 1,
      fields: { trip_id: 'T1', pax: '2', paid: 'true', components: '[{"type":"CRUISE"}]', __json: '{"trip_id":"T1","pax":2,"paid":true,"note":null,"empty":"","components":[{"type":"CRUISE"}]}' },
    });
    expect(records[1]!.row).toBe(5);
    expect(records[1]!.fields.destinations).toBe('Köln');
    expect(issues.map((i) => [i.row, i.code, i.field])).toEqual([
      [2, 'malformed-row', undefined],
      [4, 'malformed-row', undefined],
      [5, 'bad-encoding', 'destinations'],
    ]);
  });

  it('JSON array: checkpoint by record index, nested bookings kept whole in __json', async () => {
    const bookings = [
      { booking_reference: 'B1', customer_id: 'C1', total: '100.00', payments: [{ date: '2026-01-01', amount: '20.00' }] },
      'not an object',
      { booking_reference: 'B3', customer_id: 'C3' },
    ];
    const p = write('bookings.json', JSON.stringify(bookings));
    const a = await readLegacyChunk({ path: p, file: 'bookings', from: null, maxRecords: 2 });
    expect(a.records).toHaveLength(1);
    expect(JSON.parse(a.records[0]!.fields.__json!)).toEqual(bookings[0]);
    expect(a.records[0]!.fields.payments).toBe('[{"date":"2026-01-01","amount":"20.00"}]');
    expect(a.issues).toEqual([expect.objectContaining({ row: 2, code: 'malformed-row', severity: 'ERROR' })]);
    expect(a.next?.row).toBe(3);
    const b = await readLegacyChunk({ path: p, file: 'bookings', from: a.next, maxRecords: 2 });
    expect(b.records.map((r) => r.row)).toEqual([3]);
    expect(b.next).toBeNull();
    expect(a.bytesRead + b.bytesRead).toBe(a.bytesTotal);
    const notArray = write('obj.json', '{"a":1}');
    await expect(readLegacyChunk({ path: notArray, file: 'bookings', from: null, maxRecords: 2 })).rejects.toThrow(/must hold a JSON array/);
    await expect(readLegacyChunk({ path: write('x.txt', ''), file: 'bookings', from: null, maxRecords: 2 })).rejects.toThrow(/unknown format/);
  });
});
