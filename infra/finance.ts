import { EcbXmlFxRateFeed } from '../adapters/ecb-xml/adapter';
import { PrismaAtolStore } from '../activities/atol.prisma';
import { PrismaCommissions } from '../activities/commissions.prisma';
import { PrismaFinanceConfig } from '../activities/finance-config.prisma';
import { PrismaFxRates } from '../activities/fx-rates.prisma';
import { PrismaLedger } from '../activities/ledger.prisma';
import type { ApiDeps } from '../api/app';
import { ReadinessGate } from '../api/readiness-gate';
import { calendarDateIn } from '../domain/time/instant';
import type { PrismaClient } from '../generated/prisma/client';
import type { Database } from './database';
import type { FxRateFeed } from '../activities/ports/fx-rate-feed';

/** The finance ports on one database, with the configured central-bank feed. */
export function financeDeps(
  prisma: PrismaClient,
  opts: { ecbRatesUrl?: string; operatorTimeZone?: string; driver?: Pick<Database, 'query'>; feeds?: Record<string, FxRateFeed> } = {},
): ApiDeps['finance'] {
  const config = new PrismaFinanceConfig(prisma);
  const zone = opts.operatorTimeZone ?? 'UTC';
  const ledger = new PrismaLedger(prisma, opts.driver);
  return {
    ledger,
    atol: new PrismaAtolStore(prisma, ledger),
    fxRates: new PrismaFxRates(prisma),
    fxFeed: opts.feeds?.ECB ?? new EcbXmlFxRateFeed(opts.ecbRatesUrl),
    ...(opts.feeds ? { feeds: opts.feeds } : {}),
    config,
    commissions: new PrismaCommissions(prisma),
    readinessGate: new ReadinessGate(() => config.readiness(calendarDateIn(Date.now(), zone))),
  };
}
