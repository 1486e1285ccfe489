import { z } from 'zod';
import { REFERENCE_PATTERN } from '../../domain/booking/draft';
import { ACCOUNT_CODE_PATTERN } from '../../domain/ledger/entry';
import { IsoDate, Money } from '../../domain/schemas/common.schema';

/**
 * Manual journal entries (issue 9): finance posts a balanced entry through the ledger; lines use
 * the ledger's own vocabulary (an account code, a side, an amount with its currency).
 */

const Cursor = z.string().min(1).max(512).regex(/^[A-Za-z0-9_-]+$/, 'must be a nextCursor this endpoint returned');

/** The caller's reference for the entry: unique; posting the same entry again under it returns the first. */
export const JournalReference = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,150}$/, 'must be 1-151 characters: letters, digits and . _ : / - (starting with a letter or digit)');

export const JournalLine = z.strictObject({
  account: z.string().regex(ACCOUNT_CODE_PATTERN, 'must be an account code such as "asset:bank:GBP"'),
  side: z.enum(['DEBIT', 'CREDIT'], { message: 'must be DEBIT or CREDIT' }),
  amount: Money.meta({ description: 'Greater than zero, with at most the currency\'s decimals' }),
});

export const CreateJournalEntryRequest = z.strictObject({
  date: IsoDate.meta({ description: 'Accounting date: decides the period' }),
  description: z.string().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters'),
  reference: JournalReference.optional(),
  lines: z.array(JournalLine).min(2, 'an entry needs at least two lines').max(200, 'must have at most 200 lines'),
});
export type CreateJournalEntryRequest = z.infer<typeof CreateJournalEntryRequest>;

export const JournalEntryListQuery = z
  .strictObject({
    from: IsoDate.optional(),
    to: IsoDate.optional(),
    account: z.string().regex(ACCOUNT_CODE_PATTERN, 'must be an account code such as "asset:bank:GBP"').optional(),
    reference: z.string().min(1).max(200).optional(),
    kind: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be an entry kind such as "manual"').optional(),
    bookingRef: z.string().regex(REFERENCE_PATTERN, 'must look like ITN-7K3M9QXZ').optional().meta({ description: 'Only the entries of this booking' }),
    limit: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(200, 'must be at most 200').default(50),
    cursor: Cursor.optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'must not be before from' });

export const JournalEntryPath = z.strictObject({ id: z.uuid({ message: 'must be a journal entry id (UUID)' }) });

/** Reverses a manual entry: the reversing entry swaps every line's side, dated `date`. */
export const ReverseJournalEntryRequest = z.strictObject({
  date: IsoDate.meta({ description: 'Accounting date of the reversal: decides its period (the original\'s may be closed)' }),
  description: z.string().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters').optional().meta({ description: 'Defaults to "Reversal of: <the original\'s description>"' }),
});
export type ReverseJournalEntryRequest = z.infer<typeof ReverseJournalEntryRequest>;
