import { amendmentPreviewSchema, createBookingRequestSchema } from '../schemas/booking.schema';

describe("schemas that depend on today's date", () => {
  const body = (departureDate: string) => ({ customerId: 'C-1001', currency: 'EUR', departureDate, components: [] as unknown[] });
  const departureIssue = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) =>
    result.error?.issues.find((i) => i.path.join('/') === 'departureDate')?.message;

  it('are built once per day, and each day judges "the past" by its own date', () => {
    const monday = createBookingRequestSchema('2027-03-01');
    expect(createBookingRequestSchema('2027-03-01')).toBe(monday);
    expect(departureIssue(monday.safeParse(body('2027-03-01')))).toBeUndefined();

    const tuesday = createBookingRequestSchema('2027-03-02');
    expect(tuesday).not.toBe(monday);
    expect(departureIssue(tuesday.safeParse(body('2027-03-01')))).toBe('must not be in the past (today is 2027-03-02)');
    // Asked for an earlier day again (a caller in another time zone, a test), it is rebuilt for that day.
    expect(departureIssue(createBookingRequestSchema('2027-03-01').safeParse(body('2027-03-01')))).toBeUndefined();
  });

  it('holds for the amendment preview too', () => {
    const first = amendmentPreviewSchema('2027-03-01');
    expect(amendmentPreviewSchema('2027-03-01')).toBe(first);
    expect(departureIssue(amendmentPreviewSchema('2027-03-02').safeParse({ departureDate: '2027-03-01' }))).toBe('must not be in the past (today is 2027-03-02)');
    expect(amendmentPreviewSchema('2027-03-01').safeParse({ departureDate: '2027-03-01' }).success).toBe(true);
  });
});
