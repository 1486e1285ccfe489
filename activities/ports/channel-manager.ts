import type {
  AvailabilityPush,
  ChannelInventorySnapshot,
  CountPush,
  IsoDate,
  PushAck,
  RatePush,
} from '../../domain/channels/model';

/**
 * One OTA channel reached through a channel manager (SiteMinder, RateGain, Cloudbeds, the sandbox
 * hub): where Itinera pushes availability, room counts and rates for its properties. Every method
 * speaks domain types; every failure is a ChannelManagerError (domain/channels/model.ts) whose
 * `kind` says whether a retry can help.
 *
 * Pushes are idempotent by content: sending the same counts twice leaves the channel as once. The
 * `echoToken` identifies one request and comes back in its acknowledgement.
 */
export interface ChannelManagerPort {
  /** The connection code (channel_connections.code) this port talks to. */
  readonly connection: string;

  /** OTA_HotelAvailNotifRQ: stop-sell / close-outs and stay restrictions. */
  pushAvailability(push: AvailabilityPush, echoToken: string): Promise<PushAck>;
  /** OTA_HotelInvCountNotifRQ: rooms left to sell per room type and night. */
  pushCounts(push: CountPush, echoToken: string): Promise<PushAck>;
  /** OTA_HotelRateAmountNotifRQ: occupancy-based rates per rate plan. */
  pushRates(push: RatePush, echoToken: string): Promise<PushAck>;
  /** OTA_HotelInvCountRQ: the channel's own counts for inclusive nights `start`..`end` (reconciliation). */
  readCounts(hotelCode: string, start: IsoDate, end: IsoDate, echoToken: string): Promise<ChannelInventorySnapshot>;
  /**
   * OTA_HotelResNotifRQ with ResStatus "Cancel", Itinera → channel: a reservation this channel
   * sold that Itinera could not honour (the last room went elsewhere first) is cancelled back.
   */
  cancelReservation(hotelCode: string, reservationId: string, reason: string, echoToken: string): Promise<PushAck>;
}

/** Builds the port for a connection (endpoint, credentials and timeouts from channel_connections). */
export interface ChannelConnectionConfig {
  code: string;
  endpoint: string;
  auth: { kind: 'none' } | { kind: 'wsse'; username: string; password: string };
  /** Per request; default 5000 ms. */
  timeoutMs?: number;
}
