import type { PrismaClient } from '../generated/prisma/client';
import type { ChartAccount } from '../domain/ledger/chart';

export interface SeedReport {
  created: string[];
  renamed: string[];
  unchanged: number;
}

/**
 * Makes the database hold `chart`: creates missing accounts and keeps names current. Never
 * deletes or retypes an account (postings may point at it): a conflicting type or currency is
 * reported as an error for finance to resolve.
 */
export async function seedChartOfAccounts(prisma: PrismaClient, chart: ChartAccount[]): Promise<SeedReport> {
  const existing = new Map((await prisma.ledgerAccount.findMany({ where: { code: { in: chart.map((a) => a.code) } } })).map((a) => [a.code, a]));
  const conflicts = chart.filter((a) => {
    const e = existing.get(a.code);
    return e && (e.type !== a.type || (e.currency ?? undefined) !== a.currency);
  });
  if (conflicts.length) {
    throw new Error(
      `Chart of accounts conflicts with existing accounts: ${conflicts.map((a) => `${a.code} (is ${existing.get(a.code)!.type}/${existing.get(a.code)!.currency ?? 'any'}, chart says ${a.type}/${a.currency ?? 'any'})`).join('; ')}`,
    );
  }
  const missing = chart.filter((a) => !existing.has(a.code));
  if (missing.length) {
    await prisma.ledgerAccount.createMany({
      data: missing.map((a) => ({ code: a.code, name: a.name, type: a.type, currency: a.currency ?? null })),
      skipDuplicates: true,
    });
  }
  const renamed = chart.filter((a) => existing.get(a.code) && existing.get(a.code)!.name !== a.name);
  for (const a of renamed) await prisma.ledgerAccount.update({ where: { code: a.code }, data: { name: a.name } });
  return { created: missing.map((a) => a.code), renamed: renamed.map((a) => a.code), unchanged: chart.length - missing.length - renamed.length };
}
