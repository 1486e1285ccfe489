import type { ChannelConnectionConfig, ChannelManagerPort } from '../../activities/ports/channel-manager';
import type { AvailabilityPush, ChannelInventorySnapshot, CountPush, IsoDate, PushAck, RatePush } from '../../domain/channels/model';
import * as rq from './builder';
import { postOta } from './client';
import { mapInvCountResponse, mapPushResponse } from './mapper';
import { checkCode, checkEchoToken, validateAvailabilityPush, validateCountPush, validateRatePush, validateReadCounts } from './validate';
import type { WsseCredentials } from './xml';

export { ChannelPushInvalid } from './validate';

export interface OpenTravelXmlOptions {
  /** Injected transport (tests); default the global fetch. */
  fetch?: typeof fetch;
  /** Clock for TimeStamp and Retry-After dates; default Date.now. */
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * {@link ChannelManagerPort} over an OpenTravel (OTA 2015-style) XML endpoint: one POST per message
 * to `config.endpoint`, bare OTA XML or (auth kind `wsse`) a SOAP 1.1 envelope with a WS-Security
 * UsernameToken. Our own input is validated first: an invalid push throws {@link ChannelPushInvalid}
 * and sends nothing. Every channel-side failure is a ChannelManagerError (see client.ts, mapper.ts).
 */
export class OpenTravelXmlChannelManager implements ChannelManagerPort {
  readonly connection: string;
  private readonly wsse: WsseCredentials | null;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;

  constructor(
    private readonly config: ChannelConnectionConfig,
    options: OpenTravelXmlOptions = {},
  ) {
    if (!config.code) throw new RangeError('ChannelConnectionConfig.code is required');
    try {
      new URL(config.endpoint);
    } catch {
      throw new RangeError(`ChannelConnectionConfig.endpoint of ${config.code} is not a URL: ${JSON.stringify(config.endpoint)}`);
    }
    if (config.timeoutMs !== undefined && !(Number.isInteger(config.timeoutMs) && config.timeoutMs > 0)) {
      throw new RangeError(`ChannelConnectionConfig.timeoutMs of ${config.code} must be a positive integer (got ${config.timeoutMs})`);
    }
    this.connection = config.code;
    this.wsse = config.auth.kind === 'wsse' ? { username: config.auth.username, password: config.auth.password } : null;
    this.timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
  }

  private send(message: rq.OtaMessage) {
    return postOta({ endpoint: this.config.endpoint, message, wsse: this.wsse, timeoutMs: this.timeoutMs, fetch: this.fetch, now: this.now });
  }

  async pushAvailability(push: AvailabilityPush, echoToken: string): Promise<PushAck> {
    checkEchoToken(echoToken);
    validateAvailabilityPush(push);
    const reply = await this.send(rq.availNotifRQ(push, echoToken, this.now()));
    return mapPushResponse(reply.doc, 'OTA_HotelAvailNotifRS', echoToken, reply.status);
  }

  async pushCounts(push: CountPush, echoToken: string): Promise<PushAck> {
    checkEchoToken(echoToken);
    validateCountPush(push);
    const reply = await this.send(rq.invCountNotifRQ(push, echoToken, this.now()));
    return mapPushResponse(reply.doc, 'OTA_HotelInvCountNotifRS', echoToken, reply.status);
  }

  async pushRates(push: RatePush, echoToken: string): Promise<PushAck> {
    checkEchoToken(echoToken);
    validateRatePush(push);
    const reply = await this.send(rq.rateAmountNotifRQ(push, echoToken, this.now()));
    return mapPushResponse(reply.doc, 'OTA_HotelRateAmountNotifRS', echoToken, reply.status);
  }

  async readCounts(hotelCode: string, start: IsoDate, end: IsoDate, echoToken: string): Promise<ChannelInventorySnapshot> {
    checkEchoToken(echoToken);
    validateReadCounts(hotelCode, start, end);
    const reply = await this.send(rq.invCountRQ(hotelCode, start, end, echoToken, this.now()));
    return mapInvCountResponse(reply.doc, echoToken, hotelCode, start, end, reply.status);
  }

  async cancelReservation(hotelCode: string, reservationId: string, reason: string, echoToken: string): Promise<PushAck> {
    checkEchoToken(echoToken);
    checkCode(hotelCode, 'hotelCode');
    checkCode(reservationId, 'reservationId');
    const reply = await this.send(rq.cancelResNotifRQ(hotelCode, reservationId, reason, echoToken, this.now()));
    return mapPushResponse(reply.doc, 'OTA_HotelResNotifRS', echoToken, reply.status);
  }
}
