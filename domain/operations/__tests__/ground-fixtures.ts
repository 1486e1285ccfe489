import type { ComponentState, LifecycleStatus, LifecycleView } from '../../booking/model';

/**
 * Lifecycle views shaped like the workflow's own (copied from the fit-flight-hotel-transfer
 * history's final `status` answer): a confirmed FIT booking with a flight, a hotel and a transfer.
 */

const policy = { windows: [{ fromDaysBefore: 30, toDaysBefore: 0, basis: 'PERCENT' as const, scope: 'PER_BOOKING' as const, amount: '50', nonRefundable: false }] };
const gbp = (amount: string) => ({ amount, currency: 'GBP' });

export function hotelComponent(over: { id?: string; start: string; end: string; pax?: number; supplierCode?: string; productCode?: string; status?: ComponentState['status'] }): ComponentState {
  const nights = Math.round((Date.parse(over.end) - Date.parse(over.start)) / 86_400_000) + 1;
  return {
    id: over.id ?? 'hotel',
    kind: 'HOTEL',
    description: `Hotel ${over.productCode ?? 'H00001'} Standard double, ${nights} nights`,
    supplierCode: over.supplierCode ?? 'T-HTL001',
    productType: 'hotels',
    serviceStart: over.start,
    serviceEnd: over.end,
    pax: over.pax ?? 2,
    sell: gbp('1051.96'),
    cost: gbp('1051.96'),
    settlement: null,
    cancellationPolicy: policy,
    amendmentPolicy: policy,
    inventory: { productId: 'e509258e-24eb-4b2d-bdbc-f263bde7cc40', category: 'STD', from: over.start, nights, quantity: 1 },
    flight: null,
    request: { id: over.id ?? 'hotel', kind: 'HOTEL', supplierCode: over.supplierCode ?? 'T-HTL001', productCode: over.productCode ?? 'H00001', category: 'STD', ratePlan: 'BAR', startDate: over.start, nights, units: [{ adults: over.pax ?? 2, childAges: [] }] },
    status: over.status ?? 'CONFIRMED',
    supplierRef: 'booking-hold:hotel',
    locator: null,
    documents: [],
    penalty: null,
  };
}

export function transferComponent(over: { id?: string; date: string; pax?: number; supplierCode?: string; productCode?: string; status?: ComponentState['status']; kind?: 'TRANSFER' | 'TOUR'; end?: string }): ComponentState {
  const id = over.id ?? 'transfer';
  const kind = over.kind ?? 'TRANSFER';
  return {
    id,
    kind,
    description: `${kind === 'TOUR' ? 'Tour' : 'Transfer'} ${over.productCode ?? 'G0001'} Private van, ${over.date}`,
    supplierCode: over.supplierCode ?? 'T-GRD001',
    productType: kind === 'TOUR' ? 'tours' : 'transfers',
    serviceStart: over.date,
    serviceEnd: over.end ?? over.date,
    pax: over.pax ?? 2,
    sell: gbp('88.62'),
    cost: gbp('88.62'),
    settlement: null,
    cancellationPolicy: policy,
    amendmentPolicy: policy,
    inventory: null,
    flight: null,
    request: { id, kind, supplierCode: over.supplierCode ?? 'T-GRD001', productCode: over.productCode ?? 'G0001', category: 'VAN', ratePlan: 'PRIVATE', startDate: over.date, nights: 0, units: [{ adults: over.pax ?? 2, childAges: [] }] },
    status: over.status ?? 'CONFIRMED',
    supplierRef: `booking:confirm:${id}`,
    locator: null,
    documents: [],
    penalty: null,
  };
}

export function flightComponent(date: string, back: string): ComponentState {
  const passengers = [
    { id: 'P-1', type: 'ADT' as const, title: 'MS', givenName: 'Ada', familyName: 'Lovelace', bornOn: '1980-12-10', gender: 'F' as const, passport: { number: '501234567', issuingCountry: 'GB', expiresOn: '2034-01-01' } },
  ];
  return {
    id: 'flight',
    kind: 'FLIGHT',
    description: 'Flight LHR→FCO BA548 + return',
    supplierCode: 'duffel-sandbox',
    productType: 'flights',
    serviceStart: date,
    serviceEnd: back,
    pax: 1,
    sell: gbp('320.00'),
    cost: gbp('320.00'),
    settlement: gbp('320.00'),
    cancellationPolicy: policy,
    amendmentPolicy: policy,
    inventory: null,
    flight: { supplier: 'duffel-sandbox', offerId: 'off_1', passengers, instantPaymentRequired: false, ticketingDeadline: null },
    request: { id: 'flight', kind: 'FLIGHT', supplier: 'duffel-sandbox', offerId: 'off_1', passengers },
    status: 'TICKETED',
    supplierRef: 'ord_1',
    locator: 'JEQYT3',
    documents: [],
    penalty: null,
  } as ComponentState;
}

export function lifecycleView(over: { reference: string; status?: LifecycleStatus; customerId?: string; departureDate: string; returnDate: string; components: ComponentState[] }): LifecycleView {
  return {
    reference: over.reference,
    status: over.status ?? 'CONFIRMED',
    customerId: over.customerId ?? 'CUST-1',
    advisorId: 'ADV-7',
    channel: 'direct',
    currency: 'GBP',
    departureDate: over.departureDate,
    returnDate: over.returnDate,
    openedAt: 1798445225335,
    holdExpiresAt: null,
    components: over.components,
    total: gbp('1140.58'),
    paid: gbp('228.12'),
    balanceDue: gbp('912.46'),
    schedule: [],
    terms: { depositPercent: '20', depositAmount: null, installments: 0, finalDueDaysBefore: 42, reminderDaysBefore: 7, graceDays: 3 },
    payments: [],
    refunds: [],
    complaints: [],
    group: null,
    timeline: [],
    nextDeadline: null,
    failure: null,
    needsManualReview: false,
    version: 6,
  };
}
