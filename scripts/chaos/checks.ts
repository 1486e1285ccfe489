import pg from 'pg';
import { TERMINAL_STATUSES } from '../../domain/booking/model';
import type { BookingRun } from './workload';

/**
 * The harness's verdict, from the database, the sandbox GDS and Temporal after the run. Each
 * check counts violations (0 = pass) and keeps a few examples for the report.
 */
export interface CheckResult {
  name: string;
  violations: number;
  examples: string[];
  /** Informational figures (not violations). */
  note?: string;
}

export interface GdsOrder {
  id: string;
  reference: string | null;
  status: string;
  supplierStatus: string;
  paymentRefs: string[];
  confirmRefs: string[];
}

export interface WorkflowState {
  exists: boolean;
  status: string | null;
}

function result(name: string, bad: string[], note?: string): CheckResult {
  return { name, violations: bad.length, examples: bad.slice(0, 5), ...(note ? { note } : {}) };
}

/** `booking-<ref>:<step>:<component>[:<version>]` → its booking reference and component. */
function keyParts(key: string): { reference: string; step: string; component: string } | null {
  const m = /^booking-([^:]+):([^:]+):([^:]+)/.exec(key);
  return m ? { reference: m[1]!, step: m[2]!, component: m[3]! } : null;
}

export async function runChecks(
  databaseUrl: string,
  runs: BookingRun[],
  gdsOrders: GdsOrder[],
  workflows: Map<string, WorkflowState>,
): Promise<CheckResult[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const q = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => (await client.query<T>(sql, params)).rows;
  try {
    const accepted = runs.filter((r) => r.accepted && r.reference);
    const refs = accepted.map((r) => r.reference!);
    const rows = await q<{ reference: string; status: string; needs_manual_review: boolean }>('SELECT reference, status, needs_manual_review FROM bookings WHERE reference = ANY($1)', [refs]);
    const projection = new Map(rows.map((r) => [r.reference, r]));
    const terminal = new Set<string>(TERMINAL_STATUSES);
    const checks: CheckResult[] = [];

    // ---- lost bookings -------------------------------------------------------------------
    const lost: string[] = [];
    for (const r of accepted) {
      const p = projection.get(r.reference!);
      const wf = workflows.get(r.reference!);
      if (!wf?.exists) lost.push(`${r.reference}: no workflow (#${r.index} ${r.scenario})`);
      else if (!p) lost.push(`${r.reference}: workflow but no bookings row (#${r.index} ${r.scenario}, workflow says ${wf.status})`);
      else if (!terminal.has(p.status)) lost.push(`${r.reference}: bookings row ${p.status}, not terminal (#${r.index} ${r.scenario}, workflow says ${wf.status})`);
      else if (wf.status && wf.status !== p.status) lost.push(`${r.reference}: workflow says ${wf.status}, bookings row says ${p.status}`);
    }
    const unaccepted = runs.filter((r) => !r.accepted).length;
    checks.push(result('lost bookings (accepted → workflow + terminal bookings row)', lost, `${accepted.length} accepted, ${unaccepted} never accepted`));

    // ---- scripts that did not end as planned (no answer in time, refused...) ----------------
    const scriptErrors = runs.filter((r) => r.error).map((r) => `#${r.index} ${r.scenario} ${r.reference ?? ''}: ${r.error}`);
    checks.push(result('workload scripts that failed (API errors after retries)', scriptErrors));
    checks.push(result('API answers 500 (internal error; see the API log)', runs.flatMap((r) => r.serverErrors.map((e) => `#${r.index} ${r.scenario} ${r.reference ?? ''}: ${e}`))));

    // ---- inventory: one live hold/sale per booking component; nothing live on a closed booking ----
    const holds = await q<{ reference: string; status: string }>('SELECT reference, status FROM inventory_holds');
    const liveHolds = new Map<string, string[]>();
    const leakedHolds: string[] = [];
    for (const h of holds) {
      const k = keyParts(h.reference);
      if (!k || (h.status !== 'HELD' && h.status !== 'SOLD')) continue;
      const id = `${k.reference}/${k.component}`;
      liveHolds.set(id, [...(liveHolds.get(id) ?? []), `${h.reference}=${h.status}`]);
      const p = projection.get(k.reference);
      if (p && terminal.has(p.status)) leakedHolds.push(`${h.reference} is ${h.status} but booking ${k.reference} is ${p.status}; script: ${runs.find((r) => r.reference === k.reference)?.steps.join(', ') ?? '?'}`);
    }
    checks.push(result('duplicate inventory holds/sales (live per booking component > 1)', [...liveHolds].filter(([, v]) => v.length > 1).map(([k, v]) => `${k}: ${v.join(', ')}`), `${holds.length} holds`));
    checks.push(result('inventory left HELD/SOLD by a terminal booking', leakedHolds));

    // ---- inventory counters: equal to the holds, and within the allotment -------------------
    const counters = await q<{ product_id: string; category: string; stay_date: string; allotment: number; held: number; sold: number; released: number; held_by_holds: number; sold_by_holds: number }>(`
      WITH nights AS (
        SELECT h.product_id, h.category, d::date AS stay_date, h.status, h.quantity
        FROM inventory_holds h, generate_series(h.stay_from, h.stay_to - 1, interval '1 day') d
      )
      SELECT i.product_id, i.category, i.stay_date::text, i.allotment, i.held, i.sold, i.released,
             COALESCE(SUM(n.quantity) FILTER (WHERE n.status = 'HELD'), 0)::int AS held_by_holds,
             COALESCE(SUM(n.quantity) FILTER (WHERE n.status = 'SOLD'), 0)::int AS sold_by_holds
      FROM inventory i LEFT JOIN nights n ON n.product_id = i.product_id AND n.category = i.category AND n.stay_date = i.stay_date
      GROUP BY i.product_id, i.category, i.stay_date, i.allotment, i.held, i.sold, i.released`);
    const inventoryBad = counters
      .filter((c) => c.sold + c.held + c.released > c.allotment || c.held < 0 || c.sold < 0 || c.held !== c.held_by_holds || c.sold !== c.sold_by_holds)
      .map((c) => `${c.category} ${c.stay_date}: allotment ${c.allotment}, held ${c.held} (holds say ${c.held_by_holds}), sold ${c.sold} (holds say ${c.sold_by_holds}), released ${c.released}`);
    checks.push(result('allotment counters (sold+held ≤ allotment, counters = holds)', inventoryBad, `${counters.length} inventory rows`));

    // ---- supplier service orders ------------------------------------------------------------
    const orders = await q<{ reference: string; booking_ref: string; component_id: string; status: string; n: number }>(
      `SELECT reference, booking_ref, component_id, status, 1 AS n FROM supplier_service_orders`,
    );
    const liveOrders = new Map<string, string[]>();
    const leakedOrders: string[] = [];
    for (const o of orders) {
      if (o.status !== 'CONFIRMED') continue;
      const id = `${o.booking_ref}/${o.component_id}`;
      liveOrders.set(id, [...(liveOrders.get(id) ?? []), o.reference]);
      const p = projection.get(o.booking_ref);
      if (p && terminal.has(p.status)) leakedOrders.push(`${o.reference} CONFIRMED but booking ${o.booking_ref} is ${p.status}`);
    }
    checks.push(result('duplicate supplier service orders (confirmed per booking component > 1)', [...liveOrders].filter(([, v]) => v.length > 1).map(([k, v]) => `${k}: ${v.join(', ')}`), `${orders.length} orders`));
    checks.push(result('service orders left CONFIRMED by a terminal booking', leakedOrders));

    // ---- sandbox GDS flight orders ----------------------------------------------------------
    const byRef = new Map<string, GdsOrder[]>();
    const liveFlights = new Map<string, string[]>();
    const leakedFlights: string[] = [];
    for (const o of gdsOrders) {
      const ref = o.reference ?? '(none)';
      byRef.set(ref, [...(byRef.get(ref) ?? []), o]);
      const k = o.reference ? keyParts(o.reference) : null;
      if (!k) continue;
      if (o.status !== 'CANCELLED') {
        const id = `${k.reference}/${k.component}`;
        liveFlights.set(id, [...(liveFlights.get(id) ?? []), `${o.id}=${o.status}`]);
        const p = projection.get(k.reference);
        if (p && terminal.has(p.status)) leakedFlights.push(`order ${o.id} (${o.reference}) is ${o.status} but booking ${k.reference} is ${p.status}`);
      }
    }
    const gdsDup = [
      ...[...byRef].filter(([, v]) => v.length > 1).map(([k, v]) => `reference ${k}: ${v.length} orders`),
      ...[...liveFlights].filter(([, v]) => v.length > 1).map(([k, v]) => `${k}: ${v.join(', ')}`),
    ];
    checks.push(result('duplicate GDS flight orders (per idempotency reference, live per component)', gdsDup, `${gdsOrders.length} orders, ${gdsOrders.reduce((s, o) => s + o.paymentRefs.length, 0)} payments`));
    checks.push(result('GDS flight orders left live by a terminal booking', leakedFlights));

    // ---- refunds --------------------------------------------------------------------------
    const refunds = await q<{ booking_ref: string; refunded: string; n: number }>('SELECT booking_ref, SUM(amount)::text AS refunded, COUNT(*)::int AS n FROM payment_refunds GROUP BY booking_ref');
    const paidByKey = await q<{ booking_ref: string; paid: string; n: number }>(`
      SELECT e.booking_ref, COALESCE(SUM(p.amount), 0)::text AS paid, COUNT(DISTINCT e.id)::int AS n
      FROM journal_entries e JOIN postings p ON p.entry_id = e.id AND p.side = 'DEBIT'
      WHERE e.idempotency_key LIKE 'booking-%:payment:%' GROUP BY e.booking_ref`);
    const paid = new Map(paidByKey.map((r) => [r.booking_ref, r]));
    const overRefunded = refunds
      .filter((r) => Number(r.refunded) > Number(paid.get(r.booking_ref)?.paid ?? '0') + 0.0001)
      .map((r) => `${r.booking_ref}: refunded ${r.refunded} in ${r.n} refunds, paid ${paid.get(r.booking_ref)?.paid ?? '0'}`);
    checks.push(result('refunds beyond what was paid (per booking)', overRefunded, `${refunds.reduce((s, r) => s + r.n, 0)} refunds`));

    // ---- ledger -------------------------------------------------------------------------------
    const unbalanced = await q<{ idempotency_key: string; currency: string; debit: string; credit: string }>(`
      SELECT e.idempotency_key, p.currency,
             SUM(p.amount) FILTER (WHERE p.side = 'DEBIT')::text AS debit, SUM(p.amount) FILTER (WHERE p.side = 'CREDIT')::text AS credit
      FROM journal_entries e JOIN postings p ON p.entry_id = e.id
      GROUP BY e.id, e.idempotency_key, p.currency
      HAVING COALESCE(SUM(p.amount) FILTER (WHERE p.side = 'DEBIT'), 0) <> COALESCE(SUM(p.amount) FILTER (WHERE p.side = 'CREDIT'), 0)`);
    const empty = await q<{ idempotency_key: string }>('SELECT e.idempotency_key FROM journal_entries e WHERE NOT EXISTS (SELECT 1 FROM postings p WHERE p.entry_id = e.id)');
    const entries = await q<{ n: number; postings: number }>('SELECT (SELECT COUNT(*) FROM journal_entries)::int AS n, (SELECT COUNT(*) FROM postings)::int AS postings');
    checks.push(
      result(
        'unbalanced ledger entries (per entry and currency Σdebit = Σcredit; none empty)',
        [...unbalanced.map((u) => `${u.idempotency_key} ${u.currency}: debit ${u.debit ?? 0}, credit ${u.credit ?? 0}`), ...empty.map((e) => `${e.idempotency_key}: no postings`)],
        `${entries[0]!.n} entries, ${entries[0]!.postings} postings`,
      ),
    );
    const dupKeys = await q<{ idempotency_key: string; n: number }>('SELECT idempotency_key, COUNT(*)::int AS n FROM journal_entries GROUP BY idempotency_key HAVING COUNT(*) > 1');
    checks.push(result('ledger entries sharing an idempotency key', dupKeys.map((d) => `${d.idempotency_key} × ${d.n}`)));

    // Every acknowledged payment posted once, nothing posted for a payment never acknowledged twice.
    const paymentBad: string[] = [];
    for (const r of accepted) {
      const posted = paid.get(r.reference!)?.n ?? 0;
      if (posted !== r.payments.length) paymentBad.push(`${r.reference}: ${r.payments.length} payments acknowledged, ${posted} payment entries posted`);
    }
    checks.push(result('payment entries = payments acknowledged (per booking)', paymentBad));

    const review = rows.filter((r) => r.needs_manual_review).map((r) => r.reference);
    checks.push(result('bookings flagged NeedsManualReview', review));
    return checks;
  } finally {
    await client.end();
  }
}
