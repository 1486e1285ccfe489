import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEcbRates } from '../../adapters/ecb-xml/mapper';
import { RateMissingError } from '../../domain/fx/rates';
import type { Database } from '../../infra/database';
import { PrismaFxRates } from '../fx-rates.prisma';

/** Stored rates behave the same on PGlite and PostgreSQL. */
export function fxRatesContract(open: () => Promise<Database>): void {
  let db: Database;
  let rates: PrismaFxRates;
  const source = `ECB-T${randomBytes(3).toString('hex')}`;
  const quotes = parseEcbRates(readFileSync(path.join(__dirname, '../../adapters/ecb-xml/__fixtures__/eurofxref-hist-3d.xml'), 'utf8')).map((q) => ({ ...q, source }));

  beforeAll(async () => {
    db = await open();
    rates = new PrismaFxRates(db.prisma);
  });
  afterAll(() => db?.close());

  it('imports a feed once; importing it again changes nothing', async () => {
    expect(await rates.importQuotes(quotes, 'test')).toEqual({ inserted: quotes.length, unchanged: 0, conflicts: [] });
    expect(await rates.importQuotes(quotes, 'test')).toEqual({ inserted: 0, unchanged: quotes.length, conflicts: [] });
  });

  it('keeps the stored rate and reports a republished different one', async () => {
    const changed = { ...quotes[0]!, rate: '1.0600' };
    const report = await rates.importQuotes([changed]);
    expect(report.conflicts).toEqual([{ quote: changed, stored: '1.0512' }]);
    expect((await rates.resolve('EUR', 'USD', '2026-11-27', source)).rate).toBe('1.0512');
  });

  it('resolves stored rates exactly, with the publication date used on a Saturday', async () => {
    expect(await rates.resolve('GBP', 'USD', '2026-11-28', source)).toMatchObject({ rate: '1.263233792', rateDate: '2026-11-27', requestedDate: '2026-11-28', source, path: 'cross via EUR' });
  });

  it('reports a missing rate clearly', async () => {
    await expect(rates.resolve('EUR', 'CHF', '2026-11-27', source)).rejects.toBeInstanceOf(RateMissingError);
    await expect(rates.resolve('EUR', 'USD', '2025-01-01', source)).rejects.toThrow(`No EUR/USD rate for 2025-01-01: no ${source} rate stored`);
  });
}
