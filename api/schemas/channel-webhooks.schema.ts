import { z } from 'zod';

/** Path of the webhook: the channel manager's code (channel_managers.code). */
export const ChannelManagerPath = z.strictObject({ code: z.string().min(1).max(48) });

/** GET /channel-reservations filters. */
export const ChannelReservationListQuery = z.strictObject({
  hotel: z.string().min(1, 'must not be empty').max(48, 'must be at most 48 characters').optional(),
  status: z.enum(['CONFIRMED', 'CANCELLED', 'REJECTED'], { message: 'must be CONFIRMED, CANCELLED or REJECTED' }).optional(),
  limit: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(500, 'must be at most 500').optional(),
});
export type ChannelReservationListQuery = z.infer<typeof ChannelReservationListQuery>;

export const ChannelReservationPath = z.strictObject({
  manager: z.string().min(1).max(48, 'must be at most 48 characters'),
  id: z.string().min(1).max(64, 'must be at most 64 characters'),
});
