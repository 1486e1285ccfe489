/**
 * `npm run scenarios`: drives the five business scenarios of the booking lifecycle through the REST
 * API of a RUNNING system (`npm start`), with the demo catalog, and prints each step with its
 * status and amounts and a link to the booking's workflow in the Temporal UI. For demos and staff
 * training; exits 1 on the first unexpected answer, printing the response body.
 *
 *   API_URL      the API (default http://localhost:3000)
 *   TEMPORAL_UI  the Temporal Web UI (default http://localhost:8233)
 *   CURRENCY     the currency the customer pays in (default GBP)
 *
 * (a) FIT booking (flight found through POST /flights/search + hotel + transfer + insurance) paid
 * in full, the flight ticketed; (b) a group booking: rooming list, one group deposit, each member
 * paying their own installments, a name change and a member cancelled with their own penalty;
 * (c) cancellation with penalty and refund; (d) amendment of the departure date (preview,
 * then accept); (e) complaint logged, assigned and resolved with a goodwill credit.
 */
import { localApiHeaders } from '../infra/access';
import { randomUUID } from 'node:crypto';
import { addDays } from '../domain/catalog/dates';
import type { Complaint, GroupMemberState, LifecycleView } from '../domain/booking/model';
import { AIRPORTS } from '../domain/flights/airports';
import { liveTickets, type Offer } from '../domain/flights/model';
import { Dec, type MoneyJson } from '../domain/money/money';
import type { AmendmentQuote, CancellationOutcome, CancellationQuote, PaymentOutcome } from '../workflows/booking/messages';

const API = (process.env.API_URL ?? 'http://localhost:3000').replace(/\/$/, '');
const UI = (process.env.TEMPORAL_UI ?? 'http://localhost:8233').replace(/\/$/, '');
const CURRENCY = process.env.CURRENCY ?? 'GBP';
/** Keys unique to this run, so running the scenarios twice books twice. */
const RUN = randomUUID().slice(0, 8);
const TODAY = new Date().toISOString().slice(0, 10);

class UnexpectedAnswer extends Error {}

const fmt = (m: MoneyJson | null | undefined) => (m ? `${m.amount} ${m.currency}` : '-');
const say = (line: string) => process.stdout.write(`${line}\n`);

async function call<T>(method: 'GET' | 'POST', path: string, opts: { body?: unknown; key?: string; expect?: number[] } = {}): Promise<T> {
  const expect = opts.expect ?? [200];
  const headers: Record<string, string> = localApiHeaders();
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.key) headers['idempotency-key'] = opts.key;
  let res: Response;
  try {
    res = await fetch(`${API}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  } catch (err) {
    throw new UnexpectedAnswer(`${method} ${path}: cannot reach the API at ${API} (${(err as Error).message}). Is \`npm start\` running?`);
  }
  const text = await res.text();
  if (!expect.includes(res.status)) throw new UnexpectedAnswer(`${method} ${path} answered ${res.status} (expected ${expect.join(' or ')}):\n${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

function check(ok: boolean, what: string, got: unknown): void {
  if (!ok) throw new UnexpectedAnswer(`${what}; got:\n${JSON.stringify(got, null, 2)}`);
}

const link = (reference: string) => `${UI}/namespaces/default/workflows/booking-${reference}`;

// ---------------------------------------------------------------------------------------------
// Picking products from the demo catalog

interface Option { supplierCode: string; productCode: string; category: string; ratePlan: string }
interface Service { supplierCode: string; productCode: string; category: string; units: Array<{ adults: number; childAges: number[] }>; sell: string }
interface Picked { destination: string; hotel: Option; transfer: Service | null; insurance: Service | null }
interface ListedProduct { code: string; supplierCode: string; kind?: string; categories: Array<{ code: string }> }

const COUPLE = [{ adults: 2, childAges: [] as number[] }];
/** Insurance is sold per person: one unit each. */
const EACH_OF_TWO = [{ adults: 1, childAges: [] as number[] }, { adults: 1, childAges: [] as number[] }];

async function searchHotels(destination: string, checkIn: string, checkOut: string): Promise<Option[]> {
  const q = new URLSearchParams({ destination, checkIn, checkOut, adults: '2', rooms: '1', type: 'HOTEL', currency: CURRENCY, limit: '50' });
  return (await call<{ items: Option[] }>('GET', `/catalog/availability?${q}`)).items;
}

/** The first product of the list the catalog can price for these dates (ground services and insurance have no allotment). */
async function firstPriced(products: ListedProduct[], startDate: string, nights: number, units: Service['units']): Promise<Service | null> {
  for (const p of products) {
    for (const c of p.categories) {
      const body = { supplierCode: p.supplierCode, productCode: p.code, category: c.code, startDate, nights, units, sellingCurrency: CURRENCY };
      const priced = await call<{ totalSell?: string } | null>('POST', '/catalog/price', { body, expect: [200, 422] });
      if (priced?.totalSell) return { supplierCode: p.supplierCode, productCode: p.code, category: c.code, units, sell: priced.totalSell };
    }
  }
  return null;
}

/** A destination with a hotel free for the trip, and a transfer and insurance there when it has them. */
async function pick(departure: string, nights: number): Promise<Picked> {
  const hotels = await call<{ items: Array<{ destination: string }> }>('GET', '/catalog/products?type=HOTEL&limit=50');
  const destinations = [...new Set(hotels.items.map((p) => p.destination))];
  check(destinations.length > 0, 'the catalog has no hotels (is the demo catalog seeded?)', hotels);
  for (const destination of destinations) {
    const [hotel] = await searchHotels(destination, departure, addDays(departure, nights));
    if (!hotel) continue;
    const at = encodeURIComponent(destination);
    const ground = await call<{ items: ListedProduct[] }>('GET', `/catalog/products?type=GROUND_SERVICE&destination=${at}&limit=50`);
    const transfer = await firstPriced(ground.items.filter((p) => p.kind === 'TRANSFER'), departure, 0, COUPLE);
    const insurers = await call<{ items: ListedProduct[] }>('GET', `/catalog/products?type=INSURANCE&destination=${at}&limit=50`);
    const insurance = await firstPriced(insurers.items, departure, nights, EACH_OF_TWO);
    return { destination, hotel, transfer, insurance };
  }
  throw new UnexpectedAnswer(`no destination has a hotel free from ${departure} for ${nights} nights`);
}

function components(p: Picked, departure: string, nights: number, withExtras: boolean) {
  const out: Array<Record<string, unknown>> = [
    { id: 'hotel', kind: 'HOTEL', supplierCode: p.hotel.supplierCode, productCode: p.hotel.productCode, category: p.hotel.category, ratePlan: p.hotel.ratePlan, startDate: departure, nights, units: COUPLE },
  ];
  const service = (id: string, kind: string, s: Service, n: number) => ({ id, kind, supplierCode: s.supplierCode, productCode: s.productCode, category: s.category, startDate: departure, nights: n, units: s.units });
  if (withExtras && p.transfer) out.push(service('transfer-in', 'TRANSFER', p.transfer, 0));
  if (withExtras && p.insurance) out.push(service('insurance', 'INSURANCE', p.insurance, nights));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Steps shared by the scenarios

async function book(tag: string, body: Record<string, unknown>): Promise<LifecycleView> {
  const view = await call<LifecycleView & { workflowId: string }>('POST', '/bookings', { body, key: `scenario-${RUN}-${tag}`, expect: [201] });
  check(view.status === 'HELD', 'the booking should be HELD', view);
  say(`  booked ${view.reference}: ${view.status}, ${view.components.length} component(s) [${view.components.map((c) => `${c.kind} ${fmt(c.sell)}`).join(', ')}], total ${fmt(view.total)}`);
  const lines = view.group?.payer === 'PER_MEMBER' ? view.schedule.filter((i) => i.memberId === view.group!.members[0]!.id) : view.schedule;
  const whose = view.group?.payer === 'PER_MEMBER' ? ` (each member pays a plan for their share; ${view.group.members[0]!.id}'s)` : '';
  say(`    schedule${whose}: ${lines.map((i) => `${i.kind} ${fmt(i.amount)} due ${i.dueDate}`).join('; ')}`);
  say(`    Temporal UI: ${link(view.reference)}`);
  return view;
}

async function pay(reference: string, key: string, amount: MoneyJson, method = 'card'): Promise<PaymentOutcome> {
  const outcome = await call<PaymentOutcome>('POST', `/bookings/${reference}/payments`, { body: { amount, method }, key });
  check(!outcome.duplicate, `payment ${key} should be new`, outcome);
  say(`  paid ${fmt(amount)} by ${method} (key ${key}): ${outcome.status}, balance due ${fmt(outcome.balanceDue)}`);
  return outcome;
}

async function detail(reference: string): Promise<LifecycleView & { ledger: Array<{ description: string; postings: unknown[] }> }> {
  const view = await call<LifecycleView & { ledger: Array<{ description: string; postings: unknown[] }> }>('GET', `/bookings/${reference}`);
  say(`  detail: ${view.status}, paid ${fmt(view.paid)}, balance ${fmt(view.balanceDue)}, ${view.ledger.length} ledger entr${view.ledger.length === 1 ? 'y' : 'ies'}${view.nextDeadline ? `, next: ${view.nextDeadline.what} at ${new Date(view.nextDeadline.at).toISOString()}` : ''}`);
  for (const e of view.ledger) say(`    ledger: ${e.description} (${e.postings.length} postings)`);
  return view;
}

const base = (tag: string, departure: string, nights: number, comps: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) => ({
  customerId: `C-SCENARIO-${tag.toUpperCase()}`,
  advisorId: 'ADV-DEMO',
  channel: 'direct',
  currency: CURRENCY,
  departureDate: departure,
  returnDate: addDays(departure, nights),
  components: comps,
  contactEmail: `customer-${tag}@example.com`,
  ...extra,
});

// ---------------------------------------------------------------------------------------------
// The five scenarios

const TRAVELLERS = [
  { id: 'P-1', type: 'ADT', title: 'MS', givenName: 'Ada', familyName: 'Lovelace', bornOn: '1980-12-10', gender: 'F', email: 'ada@example.com', phone: '+442071234567' },
  { id: 'P-2', type: 'ADT', title: 'MR', givenName: 'Charles', familyName: 'Babbage', bornOn: '1979-12-26', gender: 'M' },
];

/** Return flights London – the destination's airport, searched through the API; null when no airline flies there. */
async function flightTo(destination: string, departure: string, back: string): Promise<Record<string, unknown> | null> {
  const city = destination.split('-').slice(1).join(' ').toLowerCase();
  const airport = [...AIRPORTS.values()].find((a) => a.city.toLowerCase() === city && a.code !== 'LHR');
  if (!airport) return null;
  const body = {
    supplier: 'duffel',
    slices: [
      { origin: 'LHR', destination: airport.code, departureDate: departure },
      { origin: airport.code, destination: 'LHR', departureDate: back },
    ],
    passengers: [{ type: 'ADT' }, { type: 'ADT' }],
    cabin: 'ECONOMY',
    maxOffers: 20,
  };
  const { offers } = await call<{ offers: Offer[] }>('POST', '/flights/search', { body });
  const offer = offers.find((o) => !o.instantPaymentRequired) ?? offers[0];
  if (!offer) return null;
  const legs = offer.slices.map((sl) => sl.segments.map((g) => `${g.carrier}${g.flightNumber} ${g.departure.airport}-${g.arrival.airport} ${g.departure.local.slice(0, 16)}`).join(', ')).join(' / ');
  say(`  flight search LHR-${airport.code}: ${offers.length} offer(s); taking ${offer.id}: ${legs}, ${fmt(offer.total)}${offer.instantPaymentRequired ? ' (pay at once)' : `, ticket by ${offer.ticketingDeadline ? new Date(offer.ticketingDeadline).toISOString() : '-'}`}`);
  return { id: 'flight', kind: 'FLIGHT', supplier: 'duffel', offerId: offer.id, passengers: TRAVELLERS };
}

async function fitPaidInFull(): Promise<string> {
  say('(a) FIT booking: flight + hotel + transfer + insurance, paid in full');
  const departure = addDays(TODAY, 70);
  const p = await pick(departure, 4);
  if (!p.transfer) say(`    note: no transfer is sellable in ${p.destination} on ${departure}; booking without one`);
  if (!p.insurance) say(`    note: no insurance is sellable for ${p.destination}; booking without it`);
  const flight = await flightTo(p.destination, departure, addDays(departure, 4));
  if (!flight) say(`    note: the sandbox GDS has no flights to ${p.destination}; booking without one`);
  const view = await book('a', base('a', departure, 4, [...(flight ? [flight] : []), ...components(p, departure, 4, true)]));
  const outcome = await pay(view.reference, `scenario-${RUN}-a-full`, view.total);
  check(outcome.status === 'PAID' && new Dec(outcome.balanceDue.amount).isZero(), 'a booking paid in full should be PAID with nothing due', outcome);
  if (flight) {
    const ticketed = (await call<LifecycleView>('GET', `/bookings/${view.reference}`)).components.find((c) => c.kind === 'FLIGHT')!;
    check(ticketed.status === 'TICKETED', 'the flight should be ticketed once paid', ticketed);
    say(`  flight ${ticketed.locator}: tickets ${liveTickets(ticketed.documents).map((d) => d.number).join(', ')}`);
  }
  const repeat = await call<PaymentOutcome>('POST', `/bookings/${view.reference}/payments`, { body: { amount: view.total, method: 'card' }, key: `scenario-${RUN}-a-full` });
  check(repeat.duplicate, 'the same Idempotency-Key again should be a duplicate', repeat);
  say('  the same payment delivered again: duplicate, nothing posted twice');
  await detail(view.reference);
  return view.reference;
}

async function groupBooking(): Promise<string> {
  say('(b) group booking: rooming list, group deposit, each member paying their own installments');
  const departure = addDays(TODAY, 110);
  const p = await pick(departure, 5);
  const members = [
    ['m1', 'Anna', 'Rossi', 'A'],
    ['m2', 'Marco', 'Rossi', 'A'],
    ['m3', 'Julia', 'Berg', 'B'],
    ['m4', 'Tom', 'Berg', 'B'],
  ].map(([id, firstName, lastName, room]) => ({ id, firstName, lastName, room, email: `${firstName!.toLowerCase()}@example.com` }));
  const group = { name: `Book club ${RUN}`, payer: 'PER_MEMBER', members };
  // The hotel's rooms come from the rooming list (no units); insurance is one unit per member.
  const hotel = { id: 'hotel', kind: 'HOTEL', supplierCode: p.hotel.supplierCode, productCode: p.hotel.productCode, category: p.hotel.category, ratePlan: p.hotel.ratePlan, startDate: departure, nights: 5 };
  const comps: Array<Record<string, unknown>> = [hotel];
  if (p.insurance) comps.push({ id: 'insurance', kind: 'INSURANCE', supplierCode: p.insurance.supplierCode, productCode: p.insurance.productCode, category: p.insurance.category, startDate: departure, nights: 5, units: members.map(() => ({ adults: 1, childAges: [] })) });
  const view = await book('b', base('b', departure, 5, comps, { group, paymentTerms: { depositPercent: '20', installments: 2, finalDueDaysBefore: 42 } }));
  check(view.group?.members.length === 4, 'the group should have its four members', view.group);
  say(`    rooming list: ${members.map((m) => `${m.firstName} ${m.lastName} (room ${m.room})`).join(', ')}; shares ${view.group!.members.map((m) => `${m.id} ${fmt(m.share)}`).join(', ')}`);
  const sum = view.schedule.reduce((s, i) => s.plus(i.amount.amount), new Dec(0));
  check(sum.eq(view.total.amount), "the members' plans should add up to the total", view);
  const deposit = view.schedule.filter((i) => i.kind === 'DEPOSIT').reduce((s, i) => s.plus(i.amount.amount), new Dec(0));
  const confirmed = await pay(view.reference, `scenario-${RUN}-b-group-deposit`, { amount: deposit.toFixed(2), currency: CURRENCY });
  check(confirmed.status === 'CONFIRMED', 'the group deposit should confirm the booking', confirmed);
  // Members pay their own first installment (their lines only).
  for (const m of members.slice(0, 3)) {
    const line = view.schedule.find((i) => i.memberId === m.id && i.kind === 'INSTALLMENT')!;
    const outcome = await call<PaymentOutcome>('POST', `/bookings/${view.reference}/payments`, { body: { amount: line.amount, method: 'bank-transfer', memberId: m.id }, key: `scenario-${RUN}-b-${line.id.replace('/', '-')}` });
    say(`  ${m.firstName} paid their ${line.id.split('/')[1]} ${fmt(line.amount)} (due ${line.dueDate}): booking ${outcome.status}, balance due ${fmt(outcome.balanceDue)}`);
  }
  const renamed = await call<GroupMemberState>('POST', `/bookings/${view.reference}/members/m2/name`, { body: { firstName: 'Luca', lastName: 'Rossi' } });
  say(`  name change before the deadline (${view.group!.nameChangeUntil}): m2 is now ${renamed.firstName} ${renamed.lastName}`);
  const quote = await call<CancellationQuote>('POST', `/bookings/${view.reference}/cancellation/preview`, { body: { reason: 'cannot travel', memberIds: ['m4'] } });
  say(`  cancelling m4 alone would cost ${quote.members!.map((m) => `${m.name}: penalty ${fmt(m.penalty)}, paid ${fmt(m.paid)}, refund ${fmt(m.refund)}`).join('; ')}`);
  const outcome = await call<CancellationOutcome>('POST', `/bookings/${view.reference}/cancellation`, { body: { quoteId: quote.quoteId, reason: 'cannot travel', memberIds: ['m4'] } });
  check(outcome.status === 'CONFIRMED', 'the group should still be CONFIRMED after one member cancels', outcome);
  const after = await detail(view.reference);
  say(`  group now: ${after.group!.members.map((m) => `${m.firstName} ${m.status}`).join(', ')}; total ${fmt(after.total)}`);
  return view.reference;
}

async function cancellation(): Promise<string> {
  say('(c) cancellation with penalty and refund');
  const departure = addDays(TODAY, 45);
  const p = await pick(departure, 3);
  const view = await book('c', base('c', departure, 3, components(p, departure, 3, false)));
  await pay(view.reference, `scenario-${RUN}-c-deposit`, view.schedule[0]!.amount);
  const quote = await call<CancellationQuote>('POST', `/bookings/${view.reference}/cancellation/preview`, { body: { reason: 'customer changed plans' } });
  say(`  preview: penalty ${fmt(quote.totalPenalty)} (${quote.penalties.map((x) => `${x.componentId}: ${fmt(x.penalty)}, ${x.basis}`).join('; ')}), paid ${fmt(quote.paid)}, refund ${fmt(quote.refund)}`);
  const outcome = await call<CancellationOutcome>('POST', `/bookings/${view.reference}/cancellation`, { body: { quoteId: quote.quoteId, reason: 'customer changed plans' } });
  check(outcome.status === 'CANCELLED', 'the booking should be CANCELLED', outcome);
  say(`  cancelled: ${outcome.status}, penalty ${fmt(outcome.quote.totalPenalty)}, refund ${fmt(outcome.quote.refund)}${outcome.refundId ? ` (refund ${outcome.refundId})` : ''}`);
  const again = await call<{ status: number; detail: string }>('POST', `/bookings/${view.reference}/cancellation`, { body: { reason: 'twice' }, expect: [409] });
  say(`  cancelling twice is refused: ${again.status} ${again.detail}`);
  await detail(view.reference);
  return view.reference;
}

async function amendment(): Promise<string> {
  say('(d) amendment of the departure date');
  const departure = addDays(TODAY, 60);
  const p = await pick(departure, 3);
  const view = await book('d', base('d', departure, 3, components(p, departure, 3, false)));
  await pay(view.reference, `scenario-${RUN}-d-deposit`, view.schedule[0]!.amount);
  const newDeparture = addDays(departure, 7);
  const quote = await call<AmendmentQuote>('POST', `/bookings/${view.reference}/amendments/preview`, { body: { departureDate: newDeparture } });
  say(`  preview ${quote.departureDate} to ${quote.returnDate}: old ${fmt(quote.oldTotal)}, new ${fmt(quote.newTotal)} (fees ${fmt(quote.fees)}), difference ${fmt(quote.difference)}`);
  for (const l of quote.lines) say(`    ${l.componentId}: ${fmt(l.oldSell)} → ${fmt(l.newSell)}, fee ${fmt(l.fee)}`);
  const amended = await call<LifecycleView>('POST', `/bookings/${view.reference}/amendments`, { body: { quoteId: quote.quoteId } });
  check(amended.departureDate === newDeparture, `the departure should now be ${newDeparture}`, amended);
  say(`  amended: ${amended.status}, ${amended.departureDate} to ${amended.returnDate}, total ${fmt(amended.total)}, balance ${fmt(amended.balanceDue)}`);
  say(`    schedule: ${amended.schedule.map((i) => `${i.kind} ${fmt(i.amount)} due ${i.dueDate}`).join('; ')}`);
  await detail(view.reference);
  return view.reference;
}

async function complaint(): Promise<string> {
  say('(e) complaint logged, assigned, resolved with a goodwill credit');
  const departure = addDays(TODAY, 50);
  const p = await pick(departure, 2);
  const view = await book('e', base('e', departure, 2, components(p, departure, 2, false)));
  await pay(view.reference, `scenario-${RUN}-e-full`, view.total);
  const logged = await call<Complaint>('POST', `/bookings/${view.reference}/complaints`, {
    body: { category: 'ACCOMMODATION', severity: 'MEDIUM', notes: 'Room was not the category booked' },
    key: `scenario-${RUN}-e-complaint`,
    expect: [201],
  });
  say(`  logged complaint ${logged.id}: ${logged.status}, ${logged.category}/${logged.severity}`);
  const assigned = await call<Complaint>('POST', `/bookings/${view.reference}/complaints/${logged.id}/assign`, { body: { assignee: 'OPS-ANNA', note: 'calling the hotel' } });
  check(assigned.status === 'ASSIGNED', 'the complaint should be ASSIGNED', assigned);
  say(`  assigned to ${assigned.assignee}: ${assigned.status}`);
  const credit = { amount: new Dec(view.total.amount).times('0.05').toDecimalPlaces(2, Dec.ROUND_DOWN).toFixed(2), currency: view.total.currency };
  const resolved = await call<Complaint>('POST', `/bookings/${view.reference}/complaints/${logged.id}/resolve`, {
    body: { resolution: 'Apologised; credit towards the next trip', goodwill: { kind: 'CREDIT', amount: credit } },
  });
  check(resolved.status === 'RESOLVED' && resolved.goodwill?.kind === 'CREDIT', 'the complaint should be RESOLVED with a CREDIT', resolved);
  say(`  resolved: ${resolved.resolution}; goodwill ${resolved.goodwill?.kind} ${fmt(resolved.goodwill?.amount)}`);
  await detail(view.reference);
  return view.reference;
}

async function main(): Promise<void> {
  say(`Itinera scenarios against ${API} (Temporal UI ${UI}), paying in ${CURRENCY}, run ${RUN}`);
  await call('GET', '/readyz');
  const done: Array<[string, string]> = [];
  for (const [name, run] of [
    ['a', fitPaidInFull],
    ['b', groupBooking],
    ['c', cancellation],
    ['d', amendment],
    ['e', complaint],
  ] as const) {
    done.push([name, await run()]);
    say('');
  }
  say('All five scenarios passed:');
  for (const [name, reference] of done) say(`  (${name}) ${reference}  ${link(reference)}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`scenarios: FAILED: ${err instanceof UnexpectedAnswer ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
