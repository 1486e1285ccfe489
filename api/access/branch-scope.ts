import type { Response } from 'express';
import type { PrismaClient } from '../../generated/prisma/client';
import type { Principal } from './principal';

/**
 * Object-level authorisation by branch: an advisor sees the customers and bookings of their own
 * branch (a booking's branch is its advisor's; a customer's is their assigned advisor's), anyone
 * with `allBranches` sees all. A principal without a branch sees none. Routes answer 404 for an
 * object outside the scope (as for one that does not exist: its existence is not revealed).
 */
export type BranchScope = { all: true } | { branch: string | null };

/** The branch scope of a principal; no principal (routes mounted without authentication, in older tests) sees all. */
export function branchScope(principal: Principal | undefined | null): BranchScope {
  if (!principal || principal.allBranches) return { all: true };
  return { branch: principal.branch };
}

/** The scope of the request's principal (`res.locals.principal`). */
export function requestScope(res: Response): BranchScope {
  return branchScope(res.locals.principal);
}

export function seesAll(scope: BranchScope): scope is { all: true } {
  return 'all' in scope;
}

/** The database look-ups the branch checks need. */
export class BranchGuard {
  constructor(private readonly prisma: PrismaClient) {}

  /** Whether the advisor works in a branch the scope covers (an unknown advisor is in none). */
  async advisorInScope(scope: BranchScope, advisorId: string | null | undefined): Promise<boolean> {
    if (seesAll(scope)) return true;
    if (scope.branch === null || !advisorId) return false;
    const advisor = await this.prisma.advisor.findUnique({ where: { id: advisorId }, select: { branch: true } });
    return advisor?.branch === scope.branch;
  }

  /** The ids of the advisors of the scope's branch (none without a branch). */
  async advisorIds(scope: { branch: string | null }): Promise<string[]> {
    if (scope.branch === null) return [];
    const rows = await this.prisma.advisor.findMany({ where: { branch: scope.branch }, select: { id: true } });
    return rows.map((r) => r.id);
  }

  /** Whether the booking is visible; a booking with no stored row yet, or no advisor, is in no branch. */
  async bookingInScope(scope: BranchScope, reference: string): Promise<boolean> {
    if (seesAll(scope)) return true;
    if (scope.branch === null) return false;
    const row = await this.prisma.booking.findUnique({ where: { reference }, select: { advisorId: true } });
    return row ? this.advisorInScope(scope, row.advisorId) : false;
  }

  /** Whether the customer is visible: their assigned advisor works in the branch. */
  async customerInScope(scope: BranchScope, customerId: string): Promise<boolean> {
    if (seesAll(scope)) return true;
    if (scope.branch === null) return false;
    const row = await this.prisma.customer.findUnique({ where: { id: customerId }, select: { advisorId: true } });
    return row ? this.advisorInScope(scope, row.advisorId) : false;
  }
}
