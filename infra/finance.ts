import { EcbXmlFxRateFeed } from '../adapters/ecb-xml/adapter';
import { PrismaFxRates } from '../activities/fx-rates.prisma';
import { PrismaLedger } from '../activities/ledger.prisma';
import type { ApiDeps } from '../api/app';
import type { PrismaClient } from '../generated/prisma/client';

/** The finance ports on one database, with the configured central-bank feed. */
export function financeDeps(prisma: PrismaClient, ecbRatesUrl?: string): ApiDeps['finance'] {
  return { ledger: new PrismaLedger(prisma), fxRates: new PrismaFxRates(prisma), fxFeed: new EcbXmlFxRateFeed(ecbRatesUrl) };
}
