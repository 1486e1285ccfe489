/**
 * Who may do what: the staff roles, the permissions routes ask for, and which role holds which.
 * Pure data shared by the API's middleware, the permission-matrix test and the docs.
 */

export const ROLES = ['ADVISOR', 'FINANCE', 'OPERATIONS', 'MANAGEMENT', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/** Every permission a route can require; API keys are scoped to a subset of these. */
export const PERMISSIONS = [
  'bookings:read', // quotes, booking lists and details
  'bookings:write', // book, amend, cancel, complain, name changes
  'payments:take', // record customer payments
  'refunds:issue', // cancellations that refund, goodwill refunds (step-up MFA for people)
  'customers:read',
  'customers:write', // advisor reassignment and other customer master data
  'flights:search',
  'catalog:read', // suppliers, products, contracts, availability, inventory
  'catalog:write', // supplier/product/contract master data, markup rules, stop-sales, releases
  'inventory:sell', // holds and sales against allotments
  'channels:read',
  'channels:manage', // channel managers, connections, properties, rates
  'finance:read', // rates, trial balance, statements, periods, revenue, commissions, ATOL
  'finance:write', // finance configuration, rates, periods, revaluations, commissions, ATOL
  'ledger:post', // manual journal entries (step-up MFA)
  'migrations:read',
  'migrations:run',
  'ops:read', // resources, assignments, dispatch sheets
  'ops:dispatch', // manage guides/vehicles and assign them
  'reports:read',
  'audit:read',
  'users:manage', // users, roles' IP allowlists, API keys
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const READ_ALL: Permission[] = ['bookings:read', 'customers:read', 'catalog:read', 'channels:read', 'finance:read', 'ops:read', 'migrations:read'];

/**
 * What each role holds. Separation of duties: advisors sell and service bookings but post no journal
 * entries; finance configures and posts but does not change bookings; operations dispatch ground
 * services; management reads everything and reassigns customers; admin holds every permission.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  ADVISOR: ['bookings:read', 'bookings:write', 'payments:take', 'refunds:issue', 'customers:read', 'customers:write', 'flights:search', 'catalog:read', 'inventory:sell'],
  FINANCE: ['bookings:read', 'payments:take', 'customers:read', 'catalog:read', 'channels:read', 'finance:read', 'finance:write', 'ledger:post', 'reports:read', 'audit:read'],
  OPERATIONS: ['bookings:read', 'customers:read', 'catalog:read', 'catalog:write', 'inventory:sell', 'channels:read', 'channels:manage', 'ops:read', 'ops:dispatch'],
  MANAGEMENT: [...READ_ALL, 'customers:write', 'reports:read', 'audit:read'],
  ADMIN: [...PERMISSIONS],
};

/** Roles whose people see every branch's customers and bookings; advisors see their own branch unless granted `all-branches`. */
export const ALL_BRANCH_ROLES: readonly Role[] = ['FINANCE', 'OPERATIONS', 'MANAGEMENT', 'ADMIN'];

/** Extra grants a user may hold beyond the role. */
export const GRANTS = ['all-branches'] as const;
export type Grant = (typeof GRANTS)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
}

export function roleHolds(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
