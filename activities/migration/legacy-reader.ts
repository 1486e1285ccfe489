/**
 * Reads a legacy export file (LEGACY_FILES, format by extension: .csv, .jsonl, .json) in chunks
 * that a migration can checkpoint: each call opens the file at `from.byteOffset`, reads at most
 * `maxRecords` entries (records or malformed rows) and returns where the next one starts. Reading
 * chunk after chunk gives exactly the records of one whole pass, with memory bounded by the chunk.
 *
 * Bytes are read as Latin-1 text (one char per byte, so char positions are byte offsets and no
 * byte sequence can fail to decode); each value is then decoded as UTF-8, and when it is not valid
 * UTF-8 as Windows-1252 with a 'bad-encoding' WARNING (files labelled UTF-8 written by legacy
 * systems in Latin-1). A UTF-8 BOM is skipped.
 *
 * CSV: RFC 4180 via csv-parse (quotes, quoted newlines, CRLF or LF). The header (line 1) is checked
 * against LEGACY_COLUMNS on every call: a missing required column throws LegacyFileError; unknown
 * columns give one WARNING (row 1, first chunk only) and are ignored. A row that does not parse or
 * has the wrong number of fields is an ERROR 'malformed-row' at its first line, and reading goes
 * on at the next line, so an unclosed quote costs its own line, never the rest of the file. Line
 * breaks inside quoted values are read as \n.
 * JSONL: one object per line, a bad line is 'malformed-row'. JSON: an array read whole (small files
 * such as bookings); the checkpoint's `row` is the next record's index + 1 and its `byteOffset` a
 * proportional estimate (for progress only). Values: strings kept, numbers and booleans as text,
 * null omitted, objects and arrays as JSON text; the whole object is kept as JSON text in `__json`.
 * Blank lines are skipped; empty values are omitted (absent = not given).
 */
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { LEGACY_COLUMNS, type LegacyFileKind, type RawRecord, type RowIssue } from '../../domain/customers/model';

export interface ReadCheckpoint {
  /** The first byte of the next record. */
  byteOffset: number;
  /** The CSV / JSONL line (header = 1) or JSON record number (first = 1) of the next record. */
  row: number;
}

export interface ReadChunk {
  records: RawRecord[];
  issues: RowIssue[];
  /** null at the end of the file. */
  next: ReadCheckpoint | null;
  bytesRead: number;
  bytesTotal: number;
  /** CSV: the header's column names (trimmed, lower-case). */
  header?: string[];
}

/** The file as a whole cannot be used (missing required column, not a JSON array, unknown format). */
export class LegacyFileError extends Error {
  override readonly name = 'LegacyFileError';
  constructor(
    readonly file: LegacyFileKind,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

export interface ReadLegacyChunkInput {
  path: string;
  file: LegacyFileKind;
  from: ReadCheckpoint | null;
  maxRecords: number;
}

const READ_SIZE = 64 * 1024;
/** A record longer than this (bytes) or spanning more lines is treated as a runaway quote. */
const MAX_RECORD_BYTES = 256 * 1024;
const MAX_RECORD_LINES = 200;
const BOM = '\xEF\xBB\xBF';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const cp1252 = new TextDecoder('windows-1252');

/** A Latin-1 string (one char per byte) → its text, and whether it was not valid UTF-8. */
export function decodeLegacyBytes(latin1: string): { text: string; windows1252: boolean } {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7F]/.test(latin1)) return { text: latin1, windows1252: false };
  const bytes = Buffer.from(latin1, 'latin1');
  try {
    return { text: utf8.decode(bytes), windows1252: false };
  } catch {
    return { text: cp1252.decode(bytes), windows1252: true };
  }
}

export async function readLegacyChunk(input: ReadLegacyChunkInput): Promise<ReadChunk> {
  if (!Number.isSafeInteger(input.maxRecords) || input.maxRecords < 1) throw new RangeError(`maxRecords must be a positive integer, got ${input.maxRecords}`);
  const ext = path.extname(input.path).toLowerCase();
  if (ext === '.csv') return readCsvChunk(input);
  if (ext === '.jsonl') return readJsonlChunk(input);
  if (ext === '.json') return readJsonChunk(input);
  throw new LegacyFileError(input.file, `${input.path}: unknown format "${ext}" (expected .csv, .jsonl or .json)`);
}

// ------------------------------------------------------------------ line source (byte offsets)

/** Reads a file forwards from an offset as Latin-1 text, buffering one window at a time. */
class ByteWindow {
  private text = '';
  /** File offset of text[0]. */
  private base: number;
  private eof = false;
  constructor(
    private readonly fd: FileHandle,
    start: number,
  ) {
    this.base = start;
  }

  /** Buffers at least `n` chars from `pos` (a file offset), unless the file ends first. */
  private async fill(pos: number, n: number): Promise<void> {
    while (!this.eof && this.base + this.text.length < pos + n) {
      const buf = Buffer.allocUnsafe(READ_SIZE);
      const { bytesRead } = await this.fd.read(buf, 0, READ_SIZE, this.base + this.text.length);
      if (bytesRead === 0) this.eof = true;
      else this.text += buf.toString('latin1', 0, bytesRead);
    }
  }

  /** Drops the buffered text before `pos`: nothing before it is read again. */
  release(pos: number): void {
    if (pos > this.base + READ_SIZE) {
      this.text = this.text.slice(pos - this.base);
      this.base = pos;
    }
  }

  /** The line starting at `pos`: its text without the line ending, and the offset after it; null at EOF. */
  async line(pos: number): Promise<{ text: string; end: number } | null> {
    for (let want = 256; ; want *= 2) {
      await this.fill(pos, want);
      const rel = pos - this.base;
      if (rel >= this.text.length) return null;
      const nl = this.text.indexOf('\n', rel);
      if (nl >= 0) return { text: stripCr(this.text.slice(rel, nl)), end: this.base + nl + 1 };
      if (this.eof) return { text: stripCr(this.text.slice(rel)), end: this.base + this.text.length };
    }
  }
}

const stripCr = (s: string) => (s.endsWith('\r') ? s.slice(0, -1) : s);
const quoteCount = (s: string) => {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n;
};

/**
 * One CSV record starting at `pos`: physical lines joined while a quote is open. When the quote
 * never closes within the limits (or at EOF), `runaway` is set and `end` is the end of the first line.
 */
async function csvRecordAt(win: ByteWindow, pos: number): Promise<{ text: string; lines: number; end: number; firstEnd: number; runaway: boolean } | null> {
  const first = await win.line(pos);
  if (!first) return null;
  let text = first.text;
  let end = first.end;
  let lines = 1;
  let open = quoteCount(text) % 2 === 1;
  while (open) {
    const next = await win.line(end);
    if (!next || lines >= MAX_RECORD_LINES || text.length > MAX_RECORD_BYTES) return { text: first.text, lines: 1, end: first.end, firstEnd: first.end, runaway: true };
    text += '\n' + next.text;
    end = next.end;
    lines++;
    if (quoteCount(next.text) % 2 === 1) open = false;
  }
  return { text, lines, end, firstEnd: first.end, runaway: false };
}

// ------------------------------------------------------------------ CSV

async function readCsvChunk(input: ReadLegacyChunkInput): Promise<ReadChunk> {
  const { file } = input;
  const fd = await open(input.path, 'r');
  try {
    const bytesTotal = (await fd.stat()).size;
    const headWin = new ByteWindow(fd, 0);
    const head = await csvRecordAt(headWin, 0);
    if (!head || head.text.replace(BOM, '').trim() === '') throw new LegacyFileError(file, `${input.path} is empty: no header row`);
    let headerCells: string[];
    try {
      headerCells = (parse(head.text.startsWith(BOM) ? head.text.slice(3) : head.text, { relax_column_count: true }) as string[][])[0] ?? [];
    } catch (e) {
      throw new LegacyFileError(file, `the header row cannot be read: ${(e as Error).message}`);
    }
    const header = headerCells.map((h) => decodeLegacyBytes(h).text.trim().toLowerCase());
    const spec = LEGACY_COLUMNS[file];
    const missing = spec.required.filter((c) => !header.includes(c));
    if (missing.length) throw new LegacyFileError(file, `missing required column(s) ${missing.join(', ')} (header: ${header.join(',')})`);
    const known = new Set<string>([...spec.required, ...spec.optional]);
    const issues: RowIssue[] = [];
    const unknown = header.filter((h) => !known.has(h));
    if (input.from === null && unknown.length) {
      issues.push({ file, row: 1, code: 'unknown-column', severity: 'WARNING', message: `unknown column(s) ignored: ${unknown.join(', ')}` });
    }

    const start = input.from ?? { byteOffset: head.end, row: 1 + head.lines };
    const win = new ByteWindow(fd, start.byteOffset);
    const origin = input.from ? start.byteOffset : 0;
    let pos = start.byteOffset;
    let row = start.row;
    const records: RawRecord[] = [];
    /** One-line rows, parsed together at the end of the chunk (one csv-parse call, not one per row). */
    const pending: { row: number; text: string }[] = [];
    const malformed = (at: number, message: string) => issues.push({ file, row: at, code: 'malformed-row', severity: 'ERROR', message });
    const accept = (at: number, cells: string[]) => {
      if (cells.length !== header.length) return malformed(at, `line ${at} has ${cells.length} fields, the header has ${header.length}`);
      const fields: Record<string, string> = {};
      const badEncoding: string[] = [];
      cells.forEach((cell, i) => {
        const name = header[i]!;
        if (!known.has(name) || cell.trim() === '') return;
        const { text, windows1252 } = decodeLegacyBytes(cell);
        if (windows1252) badEncoding.push(name);
        fields[name] = text;
      });
      if (badEncoding.length) issues.push(encodingIssue(file, at, badEncoding));
      records.push({ row: at, fields });
    };
    const finish = (next: ReadCheckpoint | null): ReadChunk => {
      let batch: string[][] | null = null;
      try {
        batch = parse(pending.map((p) => p.text).join('\n'), CSV_OPTIONS) as string[][];
      } catch {
        // Some row in the batch is malformed: parse them one by one to say which.
      }
      if (batch && batch.length === pending.length) pending.forEach((p, k) => accept(p.row, batch[k]!));
      else for (const p of pending) {
        const cells = parseRow(p.text);
        if (typeof cells === 'string') malformed(p.row, `line ${p.row} cannot be parsed as CSV: ${cells}`);
        else accept(p.row, cells);
      }
      records.sort((x, y) => x.row - y.row);
      issues.sort((x, y) => x.row - y.row);
      return { records, issues, next, bytesRead: (next ? next.byteOffset : bytesTotal) - origin, bytesTotal, header };
    };
    let taken = 0;
    for (;;) {
      win.release(pos);
      const rec = await csvRecordAt(win, pos);
      if (!rec) return finish(null);
      if (rec.lines === 1 && rec.text.trim() === '') {
        pos = rec.end;
        row++;
        continue;
      }
      if (taken >= input.maxRecords) return finish({ byteOffset: pos, row });
      taken++;
      const at = row;
      pos = rec.end;
      row += rec.lines;
      if (rec.runaway) {
        malformed(at, `line ${at}: a quoted value is never closed; the line was skipped`);
        continue;
      }
      if (rec.lines === 1) {
        pending.push({ row: at, text: rec.text });
        continue;
      }
      // A row spanning lines that does not parse may be a stray quote that swallowed the lines after
      // it: report its first line only and read the following lines again as rows of their own.
      const cells = parseRow(rec.text);
      if (typeof cells === 'string' || cells.length !== header.length) {
        malformed(at, typeof cells === 'string' ? `line ${at} cannot be parsed as CSV: ${cells}` : `line ${at} has ${cells.length} fields, the header has ${header.length}`);
        pos = rec.firstEnd;
        row = at + 1;
        continue;
      }
      accept(at, cells);
    }
  } finally {
    await fd.close();
  }
}

const CSV_OPTIONS = { record_delimiter: '\n', relax_column_count: true } as const;

/** One row's cells, or why it is not one CSV row. */
function parseRow(text: string): string[] | string {
  try {
    const parsed = parse(text, CSV_OPTIONS) as string[][];
    return parsed.length === 1 ? parsed[0]! : `${parsed.length} records on one row`;
  } catch (e) {
    return (e as Error).message.replace(/\s+/g, ' ');
  }
}

function encodingIssue(file: LegacyFileKind, row: number, fields: string[]): RowIssue {
  return {
    file,
    row,
    field: fields[0],
    code: 'bad-encoding',
    severity: 'WARNING',
    message: `${fields.join(', ')} ${fields.length > 1 ? 'are' : 'is'} not valid UTF-8; read as Windows-1252 (Latin-1)`,
  };
}

// ------------------------------------------------------------------ JSON values

/** Decodes every string in a value parsed from Latin-1 text; collects the top-level keys that needed Windows-1252. */
function decodeDeep(v: unknown, onBad: () => void): unknown {
  if (typeof v === 'string') {
    const d = decodeLegacyBytes(v);
    if (d.windows1252) onBad();
    return d.text;
  }
  if (Array.isArray(v)) return v.map((x) => decodeDeep(x, onBad));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[decodeLegacyBytes(k).text] = decodeDeep(x, onBad);
    return out;
  }
  return v;
}

/** A parsed JSON object → a RawRecord's fields, and the keys whose text needed Windows-1252. */
function objectFields(obj: Record<string, unknown>): { fields: Record<string, string>; badEncoding: string[] } {
  const fields: Record<string, string> = {};
  const badEncoding: string[] = [];
  const decoded: Record<string, unknown> = {};
  for (const [k0, v0] of Object.entries(obj)) {
    const k = decodeLegacyBytes(k0).text;
    let bad = false;
    const v = decodeDeep(v0, () => (bad = true));
    if (bad) badEncoding.push(k);
    decoded[k] = v;
    if (v === null || v === undefined) continue;
    const text = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
    if (text.trim() !== '') fields[k] = text;
  }
  fields.__json = JSON.stringify(decoded);
  return { fields, badEncoding };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// ------------------------------------------------------------------ JSONL

async function readJsonlChunk(input: ReadLegacyChunkInput): Promise<ReadChunk> {
  const { file } = input;
  const fd = await open(input.path, 'r');
  try {
    const bytesTotal = (await fd.stat()).size;
    const start = input.from ?? { byteOffset: 0, row: 1 };
    const win = new ByteWindow(fd, start.byteOffset);
    let pos = start.byteOffset;
    let row = start.row;
    const records: RawRecord[] = [];
    const issues: RowIssue[] = [];
    let taken = 0;
    for (;;) {
      win.release(pos);
      const line = await win.line(pos);
      if (!line) return { records, issues, next: null, bytesRead: bytesTotal - start.byteOffset, bytesTotal };
      const text = pos === 0 && line.text.startsWith(BOM) ? line.text.slice(3) : line.text;
      if (text.trim() === '') {
        pos = line.end;
        row++;
        continue;
      }
      if (taken >= input.maxRecords) return { records, issues, next: { byteOffset: pos, row }, bytesRead: pos - start.byteOffset, bytesTotal };
      taken++;
      const at = row;
      pos = line.end;
      row++;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        issues.push({ file, row: at, code: 'malformed-row', severity: 'ERROR', message: `line ${at} is not valid JSON: ${(e as Error).message}` });
        continue;
      }
      if (!isObject(value)) {
        issues.push({ file, row: at, code: 'malformed-row', severity: 'ERROR', message: `line ${at} is not a JSON object` });
        continue;
      }
      const { fields, badEncoding } = objectFields(value);
      if (badEncoding.length) issues.push(encodingIssue(file, at, badEncoding));
      records.push({ row: at, fields });
    }
  } finally {
    await fd.close();
  }
}

// ------------------------------------------------------------------ JSON (array, read whole)

async function readJsonChunk(input: ReadLegacyChunkInput): Promise<ReadChunk> {
  const { file } = input;
  const bytesTotal = (await stat(input.path)).size;
  let text = (await readFile(input.path)).toString('latin1');
  if (text.startsWith(BOM)) text = text.slice(3);
  let all: unknown;
  try {
    all = JSON.parse(text);
  } catch (e) {
    throw new LegacyFileError(file, `${input.path} is not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(all)) throw new LegacyFileError(file, `${input.path} must hold a JSON array of records`);
  const from = input.from ?? { byteOffset: 0, row: 1 };
  const startIndex = from.row - 1;
  const endIndex = Math.min(all.length, startIndex + input.maxRecords);
  const records: RawRecord[] = [];
  const issues: RowIssue[] = [];
  for (let i = startIndex; i < endIndex; i++) {
    const row = i + 1;
    const value: unknown = all[i];
    if (!isObject(value)) {
      issues.push({ file, row, code: 'malformed-row', severity: 'ERROR', message: `record ${row} is not a JSON object` });
      continue;
    }
    const { fields, badEncoding } = objectFields(value);
    if (badEncoding.length) issues.push(encodingIssue(file, row, badEncoding));
    records.push({ row, fields });
  }
  const offsetAt = (index: number) => (all.length === 0 ? bytesTotal : Math.floor((bytesTotal * index) / all.length));
  const next = endIndex < all.length ? { byteOffset: offsetAt(endIndex), row: endIndex + 1 } : null;
  return { records, issues, next, bytesRead: (next ? next.byteOffset : bytesTotal) - (input.from ? from.byteOffset : 0), bytesTotal };
}
