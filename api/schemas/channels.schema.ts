import { z } from 'zod';
import { IsoDate } from '../../domain/schemas/common.schema';

/**
 * Channel-manager admin API (issue 6): path parameters and URL queries. Request bodies (channel
 * managers, connections, properties, rate changes) are validated by the stores in
 * activities/channel-config.prisma.ts and activities/channel-rates.prisma.ts, whose problems come
 * back as 422 with JSON Pointers; they are not redefined here.
 */

const Code = z
  .string()
  .min(1, 'must not be empty')
  .max(48, 'must be at most 48 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'may contain only letters, digits and . _ - (starting with a letter or digit)');

export const ManagerPath = z.strictObject({ code: Code });
export const ConnectionPath = z.strictObject({ code: Code });
export const PropertyPath = z.strictObject({ hotelCode: Code });
export const OperationPath = z.strictObject({ id: z.uuid('must be a rate operation id (a UUID)') });

export const ConnectionListQuery = z.strictObject({ manager: Code.optional(), hotel: Code.optional() });

export const ParityQuery = z.strictObject({
  from: IsoDate.optional().meta({ description: 'First night, inclusive (default today, UTC)' }),
  to: IsoDate.optional().meta({ description: 'Last night, inclusive (default from + 30 days); at most 366 nights' }),
});
export type ParityQuery = z.infer<typeof ParityQuery>;

export const ParityBreaksQuery = z.strictObject({
  hotel: Code.optional(),
  from: IsoDate.optional().meta({ description: 'First night (default today, UTC)' }),
  to: IsoDate.optional().meta({ description: 'Last night, inclusive (default: no end)' }),
  limit: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(5000, 'must be at most 5000').default(1000),
});
export type ParityBreaksQuery = z.infer<typeof ParityBreaksQuery>;
