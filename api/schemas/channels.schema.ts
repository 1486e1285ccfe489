import { z } from 'zod';
import { IsoDate } from '../../domain/schemas/common.schema';
import { CalendarDay, DecimalText, Instant } from './answer.schema';

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

// ---------------------------------------------------------------------------------------------
// Answers (OpenAPI response schemas; channels.api.test.ts and channel-sync.api.test.ts parse the
// real answers with them). Each mirrors the store's view in activities/channel-config.prisma.ts or
// channel-rates.prisma.ts as the route sends it. Secrets are shown once, passwords never.

/** `ChannelManagerView`. */
export const ChannelManagerView = z
  .strictObject({
    code: z.string(),
    name: z.string(),
    hasWebhookSecret: z.boolean().meta({ description: 'A webhook secret is stored (it is never read back)' }),
    wsse: z.strictObject({ username: z.string() }).nullable().meta({ description: 'WS-Security credentials its notifications may carry (never the password)' }),
    active: z.boolean(),
    connections: z.array(z.string()),
    createdAt: Instant,
  })
  .meta({ id: 'ChannelManager' });

/** `POST /channel-managers` (`CreatedChannelManager`): the only answer with the webhook secret. */
export const CreatedChannelManagerResponse = z
  .strictObject({ ...ChannelManagerView.shape, webhookSecret: z.string().meta({ description: '`whsec_…`: sign webhook notifications with it; shown only here' }) })
  .meta({ id: 'CreatedChannelManager' });

export const ChannelManagerListResponse = z.strictObject({ channelManagers: z.array(ChannelManagerView) });

/** `ChannelConnectionView`. */
export const ChannelConnectionView = z
  .strictObject({
    code: z.string(),
    channelManagerCode: z.string(),
    name: z.string(),
    otaCode: z.string().meta({ description: 'The OTA behind it (BOOKING, EXPEDIA...)' }),
    endpoint: z.string(),
    auth: z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('none') }), z.strictObject({ kind: z.literal('wsse'), username: z.string() })]).meta({ description: 'Never the password' }),
    requestsPerSecond: z.number().int(),
    properties: z.array(z.string()).meta({ description: 'Hotel codes carried, or ["*"] for every property' }),
    active: z.boolean(),
    createdAt: Instant,
  })
  .meta({ id: 'ChannelConnection' });
export const ChannelConnectionListResponse = z.strictObject({ channelConnections: z.array(ChannelConnectionView) });

/** `ChannelPropertyView`: a hotel product offered through channel managers. */
export const ChannelPropertyView = z
  .strictObject({
    hotelCode: z.string(),
    productId: z.uuid(),
    productCode: z.string(),
    productName: z.string(),
    supplierCode: z.string(),
    active: z.boolean(),
    roomTypes: z.array(z.strictObject({ code: z.string(), name: z.string(), maxOccupancy: z.number().int() })).meta({ description: 'The product’s categories: room types on the wire' }),
    ratePlans: z.array(z.strictObject({ roomType: z.string(), ratePlan: z.string() })),
    connections: z.array(z.string()).meta({ description: 'Active connections carrying the property' }),
    createdAt: Instant,
  })
  .meta({ id: 'ChannelProperty' });
export const ChannelPropertyListResponse = z.strictObject({ channelProperties: z.array(ChannelPropertyView) });

const Amounts = z.array(z.strictObject({ guests: z.number().int(), amount: DecimalText })).meta({ description: 'Per occupancy: the amount per room per night' });

/** `PUT /channel-properties/{hotelCode}/rates` 202: the operation started; follow the Location. */
export const RateOperationStartedResponse = z
  .strictObject({
    operationId: z.string(),
    status: z.literal('PENDING'),
    nights: z.number().int(),
    rows: z.number().int().meta({ description: 'Rows written: nights × occupancies' }),
    channels: z.array(z.string()).meta({ description: 'Connections carrying the property, each to acknowledge the rates' }),
  })
  .meta({ id: 'RateOperationStarted' });

/** `RateOperationView`: one coordinated rate change and each channel's acknowledgement. */
export const RateOperationView = z
  .strictObject({
    id: z.string(),
    hotelCode: z.string(),
    roomType: z.string(),
    ratePlan: z.string(),
    start: CalendarDay,
    end: CalendarDay,
    currency: z.string(),
    amounts: Amounts,
    status: z.enum(['PENDING', 'ACKNOWLEDGED', 'FAILED']),
    detail: z
      .record(
        z.string(),
        z.strictObject({
          status: z.enum(['PENDING', 'ACKNOWLEDGED', 'FAILED']),
          acknowledged: z.number().int(),
          total: z.number().int(),
          ackedAt: Instant.nullable(),
          error: z.string().nullable(),
        }),
      )
      .meta({ description: 'Per connection code' }),
    nights: z.number().int(),
    rows: z.number().int(),
    createdAt: Instant,
    completedAt: Instant.nullable(),
  })
  .meta({ id: 'RateOperation' });

const ParityStatus = z.enum(['IN_PARITY', 'PENDING', 'OUT_OF_PARITY']);
const ParityReason = z.enum(['acknowledged', 'awaiting-ack', 'stale-rate', 'never-acknowledged', 'acknowledged-different']);
const DesiredRate = z.strictObject({ amount: DecimalText, currency: z.string(), operationId: z.string() });
const AcknowledgedRate = z.strictObject({ amount: DecimalText, currency: z.string(), operationId: z.string(), ackedAt: Instant }).nullable();

/** `ParityReport`: per night, room type, rate plan and occupancy, what each channel shows against the desired rate. */
export const ParityReportResponse = z
  .strictObject({
    hotelCode: z.string(),
    from: CalendarDay,
    to: CalendarDay,
    asOf: Instant,
    graceMs: z.number().int().meta({ description: 'How long a change may await acknowledgement before it counts as out of parity' }),
    connections: z.array(z.string()),
    summary: z.strictObject({ IN_PARITY: z.number().int(), PENDING: z.number().int(), OUT_OF_PARITY: z.number().int() }),
    entries: z.array(
      z.strictObject({
        date: CalendarDay,
        roomType: z.string(),
        ratePlan: z.string(),
        guests: z.number().int(),
        desired: DesiredRate,
        status: ParityStatus.meta({ description: 'The worst of the channels' }),
        channels: z.array(z.strictObject({ connection: z.string(), status: ParityStatus, reason: ParityReason, acknowledged: AcknowledgedRate })),
      }),
    ),
  })
  .meta({ id: 'ParityReport' });

/** `GET /channel-parity-breaks`: every channel night out of parity. */
export const ParityBreaksResponse = z
  .strictObject({
    asOf: Instant,
    graceMs: z.number().int(),
    truncated: z.boolean().meta({ description: 'More breaks than `limit`' }),
    breaks: z.array(
      z.strictObject({
        hotelCode: z.string(),
        connection: z.string(),
        date: CalendarDay,
        roomType: z.string(),
        ratePlan: z.string(),
        guests: z.number().int(),
        reason: ParityReason,
        desired: DesiredRate,
        acknowledged: AcknowledgedRate,
      }),
    ),
  })
  .meta({ id: 'ParityBreaks' });

/** `GET /channel-properties/{hotelCode}/sync`: what each connection acknowledged, and the sync workflow's own status. */
export const SyncStateResponse = z
  .strictObject({
    hotelCode: z.string(),
    connections: z.array(
      z.strictObject({
        connection: z.string(),
        lastAckAt: Instant.nullable(),
        nightsAcknowledged: z.number().int(),
        roomTypeNights: z.number().int(),
        lastError: z.string().nullable(),
        rateRowsAcknowledged: z.number().int(),
        lastRateAckAt: Instant.nullable(),
      }),
    ),
    pendingRateOperations: z.number().int(),
    workflow: z.strictObject({
      workflowId: z.string(),
      status: z.unknown().meta({ description: 'The sync workflow’s `syncStatus` query; null when it is not running' }),
    }),
  })
  .meta({ id: 'ChannelSyncState' });
