import { Router, type Request, type Response } from 'express';
import { ALL_BRANCH_ROLES, ROLE_PERMISSIONS, ROLES } from '../../domain/access/roles';
import { Prisma, type ApiKey, type User } from '../../generated/prisma/client';
import { authAudit, authContext, createApiKey, type AuthDeps } from '../access/authenticate';
import { hashPassword, passwordProblems } from '../access/passwords';
import { NotFoundProblem, parseOrProblem, ProblemError, queryOf, ValidationProblem } from '../problem';
import { ApiKeyPath, CreateApiKeyRequest, CreateUserRequest, RoleAllowlistRequest, RolePath, UpdateUserRequest, UserListQuery, UserPath } from '../schemas/users.schema';

/** A user as the API shows it: never the password hash, TOTP secret or recovery-code hashes. */
export function userView(u: User) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    branch: u.branch,
    advisorId: u.advisorId,
    grants: u.grants,
    ipAllowlist: u.ipAllowlist,
    disabled: u.disabled,
    mfaEnabled: u.mfaEnabled,
    recoveryCodesLeft: u.recoveryCodes.length,
    failedLogins: u.failedLogins,
    lockedUntil: u.lockedUntil?.toISOString() ?? null,
    version: u.version,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

export function apiKeyView(k: ApiKey) {
  return {
    id: k.id,
    name: k.name,
    scopes: k.scopes,
    ipAllowlist: k.ipAllowlist,
    createdBy: k.createdBy,
    createdAt: k.createdAt.toISOString(),
    expiresAt: k.expiresAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}

function uniqueViolation(err: unknown, field: string, what: string): never {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
    throw new ProblemError(409, 'Conflict', what, '/problems/conflict', { errors: [{ pointer: `/${field}`, detail: what }] });
  }
  throw err;
}

/**
 * Users, the roles' IP allowlists and API keys (permission `users:manage`). Changes bump the
 * user's `version`; disabling a user or resetting their MFA revokes their sessions at once.
 */
export function userRoutes(deps: AuthDeps): Router {
  const ctx = authContext(deps);
  const { store, settings } = ctx;
  const { prisma } = deps;
  const router = Router();
  const actor = (res: Response) => res.locals.principal?.name ?? null;
  const audit = (req: Request, res: Response, action: string, resourceType: string, resourceId: string, status: number, before: unknown, after: unknown) => {
    const p = res.locals.principal;
    return deps.audit.record(
      authAudit(req, res, {
        actorKind: p?.kind ?? 'anonymous',
        actorId: p?.id ?? null,
        actorName: p?.name ?? null,
        role: p?.role ?? null,
        action,
        outcome: 'success',
        status,
        category: 'master-data',
        resourceType,
        resourceId,
        before,
        after,
      }),
    );
  };
  const findUser = async (id: string) => {
    const user = await prisma.user.findUnique({ where: { id } });
    if (!user) throw new NotFoundProblem(`User ${id} does not exist`);
    return user;
  };

  router.post('/users', async (req, res) => {
    const body = parseOrProblem(CreateUserRequest, req.body);
    const problems = passwordProblems(body.password, body.email);
    if (problems.length > 0) throw new ValidationProblem(problems.map((detail) => ({ pointer: '/password', detail })));
    const user = await prisma.user
      .create({
        data: {
          email: body.email,
          name: body.name,
          role: body.role,
          branch: body.branch ?? null,
          advisorId: body.advisorId ?? null,
          grants: body.grants ?? [],
          ipAllowlist: body.ipAllowlist ?? [],
          passwordHash: await hashPassword(body.password, settings.password),
        },
      })
      .catch((err: unknown) => uniqueViolation(err, 'email', 'A user with this e-mail (or advisor id) already exists'));
    await audit(req, res, 'POST /users', 'user', user.id, 201, null, userView(user));
    res.status(201).location(`/users/${user.id}`).json(userView(user));
  });

  router.get('/users', async (req, res) => {
    const q = parseOrProblem(UserListQuery, queryOf(req), 'query:', 400);
    const users = await prisma.user.findMany({
      where: { ...(q.role ? { role: q.role } : {}), ...(q.branch ? { branch: q.branch } : {}) },
      orderBy: { email: 'asc' },
      take: q.limit,
    });
    res.json({ items: users.map(userView) });
  });

  router.get('/users/:id', async (req, res) => {
    const { id } = parseOrProblem(UserPath, req.params, 'path:', 400);
    res.json(userView(await findUser(id)));
  });

  router.patch('/users/:id', async (req, res) => {
    const { id } = parseOrProblem(UserPath, req.params, 'path:', 400);
    const body = parseOrProblem(UpdateUserRequest, req.body);
    const before = await findUser(id);
    const me = res.locals.principal;
    if (me?.kind === 'user' && me.id === id && body.role !== undefined && body.role !== before.role) {
      throw new ProblemError(403, 'Own role', 'You cannot change your own role.', '/problems/own-role', { errors: [{ pointer: '/role', detail: 'cannot change your own role' }] });
    }
    if (me?.kind === 'user' && me.id === id && body.disabled === true) {
      throw new ProblemError(403, 'Own account', 'You cannot disable your own account.', '/problems/own-account', { errors: [{ pointer: '/disabled', detail: 'cannot disable your own account' }] });
    }
    const after = await prisma.user
      .update({ where: { id }, data: { ...body, version: { increment: 1 } } })
      .catch((err: unknown) => uniqueViolation(err, 'advisorId', 'Another user already is this advisor'));
    store.forgetUser(id);
    if (body.disabled === true && !before.disabled) await store.revokeUserSessions(id, 'user-disabled', ctx.now());
    await audit(req, res, 'PATCH /users/:id', 'user', id, 200, userView(before), userView(after));
    res.json(userView(after));
  });

  router.post('/users/:id/unlock', async (req, res) => {
    const { id } = parseOrProblem(UserPath, req.params, 'path:', 400);
    const before = await findUser(id);
    const after = await prisma.user.update({ where: { id }, data: { failedLogins: 0, lockedUntil: null, version: { increment: 1 } } });
    await audit(req, res, 'POST /users/:id/unlock', 'user', id, 200, userView(before), userView(after));
    res.json(userView(after));
  });

  /** Forgets the authenticator and recovery codes (lost phone): the user enrols again at next sign-in; their sessions end. */
  router.post('/users/:id/mfa/reset', async (req, res) => {
    const { id } = parseOrProblem(UserPath, req.params, 'path:', 400);
    const before = await findUser(id);
    const after = await prisma.user.update({ where: { id }, data: { mfaEnabled: false, totpSecret: null, totpLastStep: null, recoveryCodes: [], version: { increment: 1 } } });
    store.forgetUser(id);
    await store.revokeUserSessions(id, 'mfa-reset', ctx.now());
    await audit(req, res, 'POST /users/:id/mfa/reset', 'user', id, 200, userView(before), userView(after));
    res.json(userView(after));
  });

  router.get('/access/roles', async (_req, res) => {
    const lists = new Map((await prisma.roleAccessPolicy.findMany()).map((r) => [r.role, r]));
    res.json({
      items: ROLES.map((role) => ({
        role,
        permissions: ROLE_PERMISSIONS[role],
        allBranches: ALL_BRANCH_ROLES.includes(role),
        mfaRequired: settings.mfaRequiredRoles.includes(role),
        ipAllowlist: lists.get(role)?.ipAllowlist ?? [],
        version: lists.get(role)?.version ?? 0,
      })),
    });
  });

  router.put('/access/roles/:role/ip-allowlist', async (req, res) => {
    const { role } = parseOrProblem(RolePath, req.params, 'path:', 400);
    const body = parseOrProblem(RoleAllowlistRequest, req.body);
    const before = await prisma.roleAccessPolicy.findUnique({ where: { role } });
    const after = await prisma.roleAccessPolicy.upsert({
      where: { role },
      create: { role, ipAllowlist: body.ipAllowlist },
      update: { ipAllowlist: body.ipAllowlist, version: { increment: 1 } },
    });
    store.forgetRoleAllowlists();
    await audit(req, res, 'PUT /access/roles/:role/ip-allowlist', 'role', role, 200, before ? { ipAllowlist: before.ipAllowlist } : null, { ipAllowlist: after.ipAllowlist });
    res.json({ role, ipAllowlist: after.ipAllowlist, version: after.version });
  });

  router.post('/api-keys', async (req, res) => {
    const body = parseOrProblem(CreateApiKeyRequest, req.body);
    const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= ctx.now()) throw new ValidationProblem([{ pointer: '/expiresAt', detail: 'must be in the future' }]);
    const { id, token } = await createApiKey(prisma, { name: body.name, scopes: body.scopes, ipAllowlist: body.ipAllowlist ?? [], expiresAt, createdBy: actor(res) });
    const key = await prisma.apiKey.findUniqueOrThrow({ where: { id } });
    await audit(req, res, 'POST /api-keys', 'api-key', id, 201, null, apiKeyView(key));
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).location(`/api-keys/${id}`).json({ ...apiKeyView(key), token });
  });

  router.get('/api-keys', async (_req, res) => {
    const keys = await prisma.apiKey.findMany({ orderBy: { createdAt: 'desc' } });
    res.json({ items: keys.map(apiKeyView) });
  });

  router.delete('/api-keys/:id', async (req, res) => {
    const { id } = parseOrProblem(ApiKeyPath, req.params, 'path:', 400);
    const before = await prisma.apiKey.findUnique({ where: { id } });
    if (!before) throw new NotFoundProblem(`API key ${id} does not exist`);
    const after = before.revokedAt ? before : await prisma.apiKey.update({ where: { id }, data: { revokedAt: new Date(ctx.now()) } });
    store.markApiKeyRevoked(id);
    await audit(req, res, 'DELETE /api-keys/:id', 'api-key', id, 200, apiKeyView(before), apiKeyView(after));
    res.json(apiKeyView(after));
  });

  return router;
}
