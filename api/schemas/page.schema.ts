import { z } from 'zod';

/**
 * `limit` + `cursor` of the keyset-paged finance lists (issue 9): `limit` 1..500, default 100;
 * `cursor` the `nextCursor` of the previous page, opaque (a cursor the list did not hand out is 400).
 */
export const PageQueryShape = {
  limit: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(500, 'must be at most 500')
    .default(100)
    .meta({ description: 'Items per page (1..500, default 100)' }),
  cursor: z
    .string()
    .min(1)
    .max(512)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be a nextCursor this endpoint returned')
    .optional()
    .meta({ description: 'The nextCursor of the previous page' }),
};

/** A list query with nothing but paging. */
export const PageQuery = z.strictObject(PageQueryShape);
export type PageQuery = z.infer<typeof PageQuery>;
