import { z } from 'zod';
import { CalendarDay, EpochMs, ListView, MoneyView } from './answer.schema';

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

// ---------------------------------------------------------------------------------------------
// Answers (OpenAPI response schemas; channel-webhooks.api.test.ts parses the real answers with them).
// Each mirrors activities/channel-inbox.prisma.ts (`ChannelReservationView`, `ChannelNotificationView`).

/** A reservation received from a channel manager, as applied to the allotment. */
export const ChannelReservationView = z
  .strictObject({
    managerCode: z.string(),
    reservationId: z.string().meta({ description: 'The channel manager’s reservation id' }),
    itineraReference: z.string().meta({ description: 'Itinera’s stable reference (answered to the channel manager as ResID_Type 10)' }),
    hotelCode: z.string(),
    originatingChannel: z.string().meta({ description: 'The OTA the guest booked on' }),
    status: z.enum(['CONFIRMED', 'CANCELLED', 'REJECTED']),
    appliedVersion: z.number().int().meta({ description: 'The latest notification version applied' }),
    holdReferences: z.array(z.string()),
    total: MoneyView,
    guestName: z.string(),
    arrival: CalendarDay,
    departure: CalendarDay,
    detail: z.string().nullable(),
    customerId: z.string().nullable().meta({ description: 'The CRM customer the guest was recognised as (null: not recognised)' }),
    advisorId: z.string().nullable(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .meta({ id: 'ChannelReservation' });

/** `GET /channel-reservations`: at most `limit` reservations, by arrival. */
export const ChannelReservationListResponse = ListView(ChannelReservationView);

/** `GET /channel-reservations/{manager}/{id}`: the reservation (null while none was applied) and every notification received for it. */
export const ChannelReservationDetailResponse = z
  .strictObject({
    reservation: ChannelReservationView.nullable(),
    notifications: z.array(
      z.strictObject({
        id: z.uuid(),
        version: z.number().int(),
        action: z.string().meta({ description: 'new, modified or cancelled (from the OTA ResStatus)' }),
        statusWord: z.string(),
        messageId: z.string().nullable(),
        echoToken: z.string().nullable(),
        receivedAt: EpochMs,
        processedAt: EpochMs.nullable(),
        outcome: z.enum(['APPLIED', 'STALE', 'REJECTED', 'FAILED']).nullable().meta({ description: 'null while not processed' }),
        outcomeDetail: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'ChannelReservationDetail' });
