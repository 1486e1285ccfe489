import path from 'node:path';
import { ESLint } from 'eslint';

/** The ESLint rules that keep workflow code deterministic really fire (and spare type imports). */
describe('determinism fence (eslint on workflows/)', () => {
  const eslint = new ESLint({ cwd: path.resolve(__dirname, '..') });
  const probePath = path.resolve(__dirname, '..', 'workflows', 'booking', 'booking.workflow.ts');

  async function problems(code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: probePath });
    return (result?.messages ?? []).filter((m) => m.ruleId?.includes('restricted')).map((m) => m.message);
  }

  it.each([
    ["import { readFileSync } from 'node:fs'; export const a = readFileSync;", 'no Node built-ins'],
    ["import { PrismaClient } from '../../generated/prisma/client'; export const a = PrismaClient;", 'Not reachable from workflows'],
    ["import pg from 'pg'; export const a = pg;", 'never touch the database'],
    ["import express from 'express'; export const a = express;", 'no HTTP calls'],
    ["import { XMLParser } from 'fast-xml-parser'; export const a = XMLParser;", 'XML is parsed in adapters'],
    ["import { createBookingActivities } from '../../activities/booking.activities'; export const a = createBookingActivities;", 'Only type imports from activities'],
    ['export const a = setTimeout;', 'Use sleep()'],
  ])('refuses %s', async (code, message) => {
    expect((await problems(code)).join('\n')).toContain(message);
  });

  it('allows type-only imports from activities and the workflow SDK', async () => {
    const code = [
      "import type { BookingActivities } from '../../activities/booking.activities';",
      "import { proxyActivities } from '@temporalio/workflow';",
      'export const a = proxyActivities<BookingActivities>({ startToCloseTimeout: 1000 });',
    ].join('\n');
    expect(await problems(code)).toEqual([]);
  });
});
