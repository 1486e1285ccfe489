import type { IsoDate } from '../domain/channels/model';
import type { Database } from '../infra/database';

/**
 * Read-only look-ups for the outbound channel sync (issue 6): which connections carry a property,
 * which property a product is, what each connection last acknowledged, and Itinera's own sellable
 * counts. Every read is one SQL statement on the driver (the sync runs them on every push).
 */

/** A connection as the sync needs it. */
export interface ConnectionRow {
  code: string;
  channelManagerCode: string;
  endpoint: string;
  authKind: string;
  username: string | null;
  password: string | null;
  requestsPerSecond: number;
  /** Hotel codes carried; ["*"] = all. */
  properties: string[];
  active: boolean;
}

export interface ChannelPropertyRow {
  hotelCode: string;
  productId: string;
  /** The product's categories = the channel room types, sorted. */
  roomTypes: string[];
}

/** One (room type, night). */
export interface RoomNight {
  roomType: string;
  date: IsoDate;
}

/** Itinera's state of one room type and night. */
export interface ItineraNight extends RoomNight {
  /** allotment − held − sold − released, at least 0; 0 when there is no inventory row. */
  count: number;
  stopSell: boolean;
  /** The inventory row's version (bumped by every change); 0 when there is no row. */
  version: number;
}

export interface ItineraCounts {
  nights: ItineraNight[];
  /** The highest version among the nights read (0 when none has a row). */
  maxVersion: number;
}

/** What a connection last acknowledged for one room type and night. */
export interface SyncStateRow extends RoomNight {
  pushedCount: number;
  pushedStopSell: boolean;
  pushedVersion: number;
  ackedAt: number;
  lastError: string | null;
}

interface RawConnection {
  code: string;
  channel_manager_code: string;
  endpoint: string;
  auth_kind: string;
  username: string | null;
  password: string | null;
  requests_per_second: number;
  properties: string[] | null;
  active: boolean;
}

const toConnection = (r: RawConnection): ConnectionRow => ({
  code: r.code,
  channelManagerCode: r.channel_manager_code,
  endpoint: r.endpoint,
  authKind: r.auth_kind,
  username: r.username,
  password: r.password,
  requestsPerSecond: Number(r.requests_per_second),
  properties: r.properties ?? ['*'],
  active: r.active,
});

const CONNECTION_COLUMNS = 'code, channel_manager_code, endpoint, auth_kind, username, password, requests_per_second, properties, active';

export class ChannelDirectory {
  constructor(private readonly db: Pick<Database, 'query'>) {}

  /** The connection with this code, active or not; null when unknown. */
  async connection(code: string): Promise<ConnectionRow | null> {
    const rows = await this.db.query<RawConnection>(`SELECT ${CONNECTION_COLUMNS} FROM channel_connections WHERE code = $1`, [code]);
    return rows[0] ? toConnection(rows[0]) : null;
  }

  /** Active connections (of active channel managers) carrying the property, by code. */
  async connectionsFor(hotelCode: string): Promise<ConnectionRow[]> {
    const rows = await this.db.query<RawConnection>(
      `SELECT ${CONNECTION_COLUMNS.split(', ').map((c) => `cc.${c}`).join(', ')}
         FROM channel_connections cc JOIN channel_managers cm ON cm.code = cc.channel_manager_code
        WHERE cc.active AND cm.active AND ('*' = ANY(cc.properties) OR $1 = ANY(cc.properties))
        ORDER BY cc.code`,
      [hotelCode],
    );
    return rows.map(toConnection);
  }

  /** The active channel property of a product (its hotel code), or null when it is not distributed. */
  async hotelCodeOfProduct(productId: string): Promise<string | null> {
    const rows = await this.db.query<{ hotel_code: string }>(`SELECT hotel_code FROM channel_properties WHERE product_id::text = $1 AND active`, [productId]);
    return rows[0]?.hotel_code ?? null;
  }

  /** An active channel property with its room types; null when unknown or inactive. */
  async property(hotelCode: string): Promise<ChannelPropertyRow | null> {
    return (await this.properties([hotelCode]))[0] ?? null;
  }

  /** Active channel properties (all, or those named), by hotel code. */
  properties(hotelCodes?: string[]): Promise<ChannelPropertyRow[]> {
    return this.selectProperties('($1::text[] IS NULL OR p.hotel_code = ANY($1::text[]))', [hotelCodes ?? null]);
  }

  /** Up to `limit` active channel properties with a hotel code after `after` (null: from the first), by hotel code. */
  propertiesPage(after: string | null, limit: number): Promise<ChannelPropertyRow[]> {
    return this.selectProperties('($1::text IS NULL OR p.hotel_code > $1::text)', [after], limit);
  }

  private async selectProperties(where: string, params: unknown[], limit?: number): Promise<ChannelPropertyRow[]> {
    const rows = await this.db.query<{ hotel_code: string; product_id: string; room_types: string[] | null }>(
      `SELECT p.hotel_code, p.product_id::text AS product_id,
              ARRAY(SELECT c.code::text FROM product_categories c WHERE c.product_id = p.product_id ORDER BY c.code) AS room_types
         FROM channel_properties p
        WHERE p.active AND ${where}
        ORDER BY p.hotel_code${limit === undefined ? '' : ` LIMIT ${Math.trunc(limit)}`}`,
      params,
    );
    return rows.map((r) => ({ hotelCode: r.hotel_code, productId: r.product_id, roomTypes: r.room_types ?? [] }));
  }

  /**
   * Itinera's sellable count, stop-sell and inventory version for each (room type, night) asked,
   * in one statement: allotment − held − sold − released over the night's inventory row (never
   * below 0; no row = 0), stop-sell when a stop sale of the room type or of the whole product
   * (category null) covers the night.
   */
  async itineraCounts(productId: string, nights: RoomNight[]): Promise<ItineraCounts> {
    if (nights.length === 0) return { nights: [], maxVersion: 0 };
    const rows = await this.db.query<{ room_type: string; stay_date: string; count: number; version: string; stop_sell: boolean }>(
      `SELECT n.room_type, to_char(n.stay_date, 'YYYY-MM-DD') AS stay_date,
              COALESCE(GREATEST(i.allotment - i.held - i.sold - i.released, 0), 0)::int AS count,
              COALESCE(i.version, 0)::text AS version,
              EXISTS (SELECT 1 FROM stop_sales s
                       WHERE s.product_id = $1::uuid AND (s.category IS NULL OR s.category = n.room_type)
                         AND n.stay_date BETWEEN s.date_from AND s.date_to) AS stop_sell
         FROM unnest($2::text[], $3::date[]) AS n(room_type, stay_date)
         LEFT JOIN inventory i ON i.product_id = $1::uuid AND i.category = n.room_type AND i.stay_date = n.stay_date
        ORDER BY n.room_type, n.stay_date`,
      [productId, nights.map((n) => n.roomType), nights.map((n) => n.date)],
    );
    const out = rows.map((r) => ({ roomType: r.room_type, date: r.stay_date, count: Number(r.count), stopSell: r.stop_sell, version: Number(r.version) }));
    return { nights: out, maxVersion: out.reduce((m, n) => Math.max(m, n.version), 0) };
  }

  /** What `connection` last acknowledged for the property over inclusive nights `from`..`to`. */
  async syncStates(connection: string, hotelCode: string, from: IsoDate, to: IsoDate): Promise<SyncStateRow[]> {
    const rows = await this.db.query<{ room_type: string; stay_date: string; pushed_count: number; pushed_stop_sell: boolean; pushed_version: string; acked_at: Date | string; last_error: string | null }>(
      `SELECT room_type, to_char(stay_date, 'YYYY-MM-DD') AS stay_date, pushed_count, pushed_stop_sell, pushed_version::text AS pushed_version, acked_at, last_error
         FROM channel_sync_states
        WHERE connection_code = $1 AND hotel_code = $2 AND stay_date BETWEEN $3::date AND $4::date
        ORDER BY room_type, stay_date`,
      [connection, hotelCode, from, to],
    );
    return rows.map((r) => ({
      roomType: r.room_type,
      date: r.stay_date,
      pushedCount: Number(r.pushed_count),
      pushedStopSell: r.pushed_stop_sell,
      pushedVersion: Number(r.pushed_version),
      ackedAt: new Date(r.acked_at).getTime(),
      lastError: r.last_error,
    }));
  }
}
