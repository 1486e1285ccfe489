/** One line of the audit trail (table `audit_events`). */
export interface AuditRecord {
  at?: Date;
  actorKind: 'user' | 'api-key' | 'anonymous';
  actorId?: string | null;
  /** E-mail of the user or name of the API key; for a refused sign-in, the e-mail tried. */
  actorName?: string | null;
  role?: string | null;
  ip?: string | null;
  requestId?: string | null;
  method: string;
  path: string;
  /** The route pattern (`POST /bookings/:reference/payments`) or an auth action (`auth.login`, `auth.refresh-reuse`). */
  action: string;
  resourceType?: string | null;
  resourceId?: string | null;
  outcome: 'success' | 'denied' | 'failed';
  status: number;
  category: 'master-data' | 'financial' | 'access' | 'action';
  before?: unknown;
  after?: unknown;
  /** Why (for denials: the reason, never a secret). */
  detail?: string | null;
}

/** Where audit records go; the API's audit middleware and the auth routes write through it. */
export interface AuditSink {
  record(event: AuditRecord): Promise<void>;
}
