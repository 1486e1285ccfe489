import type { Permission, Role } from '../../domain/access/roles';

/**
 * Who is calling, as the authentication middleware found it (`res.locals.principal`): a person
 * signed in with a session, or a system integration with a scoped API key.
 */
export interface Principal {
  kind: 'user' | 'api-key';
  /** User id or API key id. */
  id: string;
  /** E-mail of the user, name of the API key: for the audit trail. */
  name: string;
  /** The user's role; API keys have none (their scopes are their permissions). */
  role: Role | null;
  permissions: ReadonlySet<Permission>;
  /** The branch whose customers and bookings an advisor sees (null: none set). */
  branch: string | null;
  /** Sees every branch (finance, operations, management, admin, users granted `all-branches`, API keys). */
  allBranches: boolean;
  /** The advisor record this user is, if any (bookings they create default to them). */
  advisorId: string | null;
  /** Users only: the session the access token belongs to. */
  sessionId?: string;
  /** Users only: when the session last proved a TOTP code (epoch ms): step-up checks this. */
  mfaAt?: number | null;
}

/** How fresh a TOTP proof must be for step-up routes (refunds, journal entries). */
export const STEP_UP_MAX_AGE_MS = 5 * 60_000;
