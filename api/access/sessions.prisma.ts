import type { PrismaClient } from '../../generated/prisma/client';
import type { Role } from '../../domain/access/roles';
import { newRefreshToken, sha256Hex } from './tokens';

/** What the authentication middleware needs of a user, cached per process. */
export interface CachedUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  branch: string | null;
  advisorId: string | null;
  grants: string[];
  ipAllowlist: string[];
  disabled: boolean;
  mfaEnabled: boolean;
  loadedAt: number;
}

interface CachedSession {
  id: string;
  userId: string;
  lastSeen: number;
  /** lastSeen as last written to the database. */
  lastWritten: number;
  absoluteExpiresAt: number;
  mfaAt: number | null;
  revoked: boolean;
  /** When the database was last read for it: after `cacheTtlMs` a request reads it again (another process may have revoked it). */
  checkedAt: number;
}

export interface CachedApiKey {
  id: string;
  name: string;
  secretHash: string;
  scopes: string[];
  ipAllowlist: string[];
  expiresAt: number | null;
  revoked: boolean;
  loadedAt: number;
  lastUsedWritten: number;
}

export interface SessionTimeouts {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  /** lastSeenAt is written back at most this often. */
  lastSeenWriteIntervalMs: number;
  /** How long a cached user, API key or role allowlist is trusted before it is read again (changes made by another process). */
  cacheTtlMs: number;
}

export type SessionCheck = { ok: true; session: { id: string; userId: string; mfaAt: number | null } } | { ok: false; reason: 'session-unknown' | 'session-revoked' | 'session-idle' | 'session-expired' };

export type RotateResult =
  | { ok: true; sessionId: string; userId: string; mfaAt: number | null; refreshToken: string }
  | { ok: false; reason: 'refresh-unknown' | 'refresh-reused' | 'refresh-expired' | 'session-revoked' | 'session-idle' | 'session-expired'; sessionId?: string; userId?: string };

/**
 * Sessions, refresh-token families, and the per-process cache the authentication middleware reads
 * instead of the database: session state (revoked, last seen, expiry), users, API keys and the
 * roles' IP allowlists.
 *
 * Several processes: a revocation made here is immediate here; another API process notices it
 * when its cached entry is older than `cacheTtlMs` (30 s by default), for sessions (bearer tokens
 * and browser cookies alike), users, keys and roles; refresh always reads the database. A
 * session's re-read also brings the other processes' last activity (idle time counts across
 * processes, to the minute of the write-backs).
 */
export class AccessStore {
  private readonly sessions = new Map<string, CachedSession>();
  private readonly users = new Map<string, CachedUser>();
  private readonly apiKeys = new Map<string, CachedApiKey>();
  private roleLists: { at: number; byRole: Map<string, string[]> } | null = null;

  constructor(
    readonly prisma: PrismaClient,
    private readonly timeouts: SessionTimeouts,
  ) {}

  // --- sessions ---------------------------------------------------------------------------

  /**
   * A new session. With `refresh: false` (a browser session: the cookie is the credential, it is
   * never refreshed) no refresh token is made and `refreshToken` is null.
   */
  async createSession(userId: string, now: number, meta: { ip?: string | null; userAgent?: string | null; mfaAt: number | null; refresh: false }): Promise<{ sessionId: string; refreshToken: null }>;
  async createSession(userId: string, now: number, meta: { ip?: string | null; userAgent?: string | null; mfaAt: number | null; refresh?: true }): Promise<{ sessionId: string; refreshToken: string }>;
  async createSession(userId: string, now: number, meta: { ip?: string | null; userAgent?: string | null; mfaAt: number | null; refresh?: boolean }): Promise<{ sessionId: string; refreshToken: string | null }> {
    const refreshToken = meta.refresh === false ? null : newRefreshToken();
    const absoluteExpiresAt = now + this.timeouts.absoluteTimeoutMs;
    const session = await this.prisma.session.create({
      data: {
        userId,
        createdAt: new Date(now),
        lastSeenAt: new Date(now),
        absoluteExpiresAt: new Date(absoluteExpiresAt),
        mfaAt: meta.mfaAt === null ? null : new Date(meta.mfaAt),
        ip: meta.ip?.slice(0, 64) ?? null,
        userAgent: meta.userAgent?.slice(0, 400) ?? null,
        ...(refreshToken === null ? {} : { refreshTokens: { create: { tokenHash: sha256Hex(refreshToken), createdAt: new Date(now), expiresAt: new Date(absoluteExpiresAt) } } }),
      },
    });
    this.sessions.set(session.id, { id: session.id, userId, lastSeen: now, lastWritten: now, absoluteExpiresAt, mfaAt: meta.mfaAt, revoked: false, checkedAt: now });
    return { sessionId: session.id, refreshToken };
  }

  /**
   * The cached session, read again from the database when its last read is `cacheTtlMs` old (a
   * revocation elsewhere shows), or always with `fresh`.
   */
  private async loadSession(id: string, now: number, fresh = false): Promise<CachedSession | null> {
    const cached = this.sessions.get(id);
    if (cached && !fresh && (cached.revoked || now - cached.checkedAt < this.timeouts.cacheTtlMs)) return cached;
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const row = await this.prisma.session.findUnique({ where: { id } });
    if (!row) {
      this.sessions.delete(id);
      return null;
    }
    if (cached) {
      cached.revoked = row.revokedAt !== null;
      cached.lastSeen = Math.max(cached.lastSeen, row.lastSeenAt.getTime());
      cached.lastWritten = Math.max(cached.lastWritten, row.lastSeenAt.getTime());
      cached.mfaAt = Math.max(cached.mfaAt ?? 0, row.mfaAt?.getTime() ?? 0) || null;
      cached.checkedAt = now;
      return cached;
    }
    const entry: CachedSession = {
      id,
      userId: row.userId,
      lastSeen: row.lastSeenAt.getTime(),
      lastWritten: row.lastSeenAt.getTime(),
      absoluteExpiresAt: row.absoluteExpiresAt.getTime(),
      mfaAt: row.mfaAt?.getTime() ?? null,
      revoked: row.revokedAt !== null,
      checkedAt: now,
    };
    this.sessions.set(id, entry);
    return entry;
  }

  private expiry(s: CachedSession, now: number): 'session-revoked' | 'session-idle' | 'session-expired' | null {
    if (s.revoked) return 'session-revoked';
    if (now >= s.absoluteExpiresAt) return 'session-expired';
    if (now - s.lastSeen >= this.timeouts.idleTimeoutMs) return 'session-idle';
    return null;
  }

  /** An authenticated request on the session: refused when revoked, idle or past its absolute limit; otherwise it counts as activity. */
  async touch(sessionId: string, now: number): Promise<SessionCheck> {
    const s = await this.loadSession(sessionId, now);
    if (!s) return { ok: false, reason: 'session-unknown' };
    const expired = this.expiry(s, now);
    if (expired) {
      if (expired !== 'session-revoked') await this.revoke(sessionId, expired, now);
      return { ok: false, reason: expired };
    }
    s.lastSeen = Math.max(s.lastSeen, now);
    if (now - s.lastWritten >= this.timeouts.lastSeenWriteIntervalMs) {
      s.lastWritten = now;
      await this.prisma.session.update({ where: { id: sessionId }, data: { lastSeenAt: new Date(now) } });
    }
    return { ok: true, session: { id: s.id, userId: s.userId, mfaAt: s.mfaAt } };
  }

  async revoke(sessionId: string, reason: string, now: number): Promise<void> {
    const s = this.sessions.get(sessionId);
    if (s) s.revoked = true;
    await this.prisma.session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date(now), revokeReason: reason.slice(0, 64) } });
  }

  async revokeUserSessions(userId: string, reason: string, now: number, except?: string): Promise<void> {
    for (const s of this.sessions.values()) if (s.userId === userId && s.id !== except) s.revoked = true;
    await this.prisma.session.updateMany({ where: { userId, revokedAt: null, ...(except ? { id: { not: except } } : {}) }, data: { revokedAt: new Date(now), revokeReason: reason.slice(0, 64) } });
  }

  async setMfaAt(sessionId: string, at: number): Promise<void> {
    const s = await this.loadSession(sessionId, at);
    if (s) s.mfaAt = at;
    await this.prisma.session.update({ where: { id: sessionId }, data: { mfaAt: new Date(at) } });
  }

  /**
   * Exchanges a refresh token for a new one (rotation). A token already used revokes the whole
   * session (its family): somebody holds a copy.
   */
  async rotate(refreshToken: string, now: number): Promise<RotateResult> {
    const row = await this.prisma.refreshToken.findUnique({ where: { tokenHash: sha256Hex(refreshToken) }, include: { session: true } });
    if (!row) return { ok: false, reason: 'refresh-unknown' };
    const { session } = row;
    const base = { sessionId: session.id, userId: session.userId };
    if (row.usedAt !== null) {
      await this.revoke(session.id, 'refresh-reused', now);
      return { ok: false, reason: 'refresh-reused', ...base };
    }
    // The database is the truth on refresh (another process may have revoked the session): read it now.
    const s = await this.loadSession(session.id, now, true);
    if (!s) return { ok: false, reason: 'refresh-unknown' };
    const expired = this.expiry(s, now);
    if (expired) {
      if (expired !== 'session-revoked') await this.revoke(session.id, expired, now);
      return { ok: false, reason: expired, ...base };
    }
    if (now >= row.expiresAt.getTime()) return { ok: false, reason: 'refresh-expired', ...base };
    const next = newRefreshToken();
    const claimed = await this.prisma.$transaction(async (tx) => {
      // Only one of two concurrent refreshes with the same token wins; the other is a reuse.
      const { count } = await tx.refreshToken.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: new Date(now) } });
      if (count === 0) return false;
      await tx.refreshToken.create({ data: { sessionId: session.id, tokenHash: sha256Hex(next), createdAt: new Date(now), expiresAt: new Date(s.absoluteExpiresAt) } });
      await tx.session.update({ where: { id: session.id }, data: { lastSeenAt: new Date(now) } });
      return true;
    });
    if (!claimed) {
      await this.revoke(session.id, 'refresh-reused', now);
      return { ok: false, reason: 'refresh-reused', ...base };
    }
    s.lastSeen = now;
    s.lastWritten = now;
    return { ok: true, sessionId: session.id, userId: session.userId, mfaAt: s.mfaAt, refreshToken: next };
  }

  // --- users, API keys and role allowlists -----------------------------------------------

  async user(id: string, now: number): Promise<CachedUser | null> {
    const cached = this.users.get(id);
    if (cached && now - cached.loadedAt < this.timeouts.cacheTtlMs) return cached;
    const row = await this.prisma.user.findUnique({ where: { id } });
    if (!row) {
      this.users.delete(id);
      return null;
    }
    const entry: CachedUser = {
      id: row.id,
      email: row.email,
      name: row.name,
      role: row.role,
      branch: row.branch,
      advisorId: row.advisorId,
      grants: row.grants,
      ipAllowlist: row.ipAllowlist,
      disabled: row.disabled,
      mfaEnabled: row.mfaEnabled,
      loadedAt: now,
    };
    this.users.set(id, entry);
    return entry;
  }

  /** Forget a cached user (after a change in this process). */
  forgetUser(id: string): void {
    this.users.delete(id);
  }

  async apiKey(id: string, now: number): Promise<CachedApiKey | null> {
    const cached = this.apiKeys.get(id);
    if (cached && (cached.revoked || now - cached.loadedAt < this.timeouts.cacheTtlMs)) return cached;
    const row = await this.prisma.apiKey.findUnique({ where: { id } });
    if (!row) return null;
    const entry: CachedApiKey = {
      id: row.id,
      name: row.name,
      secretHash: row.secretHash,
      scopes: row.scopes,
      ipAllowlist: row.ipAllowlist,
      expiresAt: row.expiresAt?.getTime() ?? null,
      revoked: row.revokedAt !== null,
      loadedAt: now,
      lastUsedWritten: cached?.lastUsedWritten ?? row.lastUsedAt?.getTime() ?? 0,
    };
    this.apiKeys.set(id, entry);
    return entry;
  }

  async apiKeyUsed(key: CachedApiKey, now: number): Promise<void> {
    if (now - key.lastUsedWritten < this.timeouts.lastSeenWriteIntervalMs) return;
    key.lastUsedWritten = now;
    await this.prisma.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date(now) } });
  }

  markApiKeyRevoked(id: string): void {
    const cached = this.apiKeys.get(id);
    if (cached) cached.revoked = true;
  }

  async roleAllowlist(role: Role, now: number): Promise<string[]> {
    if (!this.roleLists || now - this.roleLists.at >= this.timeouts.cacheTtlMs) {
      const rows = await this.prisma.roleAccessPolicy.findMany();
      this.roleLists = { at: now, byRole: new Map(rows.map((r) => [r.role, r.ipAllowlist])) };
    }
    return this.roleLists.byRole.get(role) ?? [];
  }

  forgetRoleAllowlists(): void {
    this.roleLists = null;
  }

  /** The IP ranges that apply to a user: their own, else their role's, else none (anywhere). */
  async allowlistFor(user: Pick<CachedUser, 'ipAllowlist' | 'role'>, now: number): Promise<string[]> {
    return user.ipAllowlist.length > 0 ? user.ipAllowlist : this.roleAllowlist(user.role, now);
  }
}
