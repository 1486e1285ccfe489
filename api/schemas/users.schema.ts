import { z } from 'zod';
import { GRANTS, PERMISSIONS, ROLES } from '../../domain/access/roles';
import { isValidCidr } from '../access/ip-allowlist';

/** Users, roles' IP allowlists and API keys (issue 9): strict objects, so mass assignment is a 422. */

const Text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const Email = z.email({ message: 'must be an e-mail address' }).max(254, 'must be at most 254 characters').transform((e) => e.toLowerCase());
const Role = z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` });
const Cidr = z.string().refine(isValidCidr, 'must be an IP address or CIDR range (10.0.0.0/8, 2001:db8::/32)');
const IpAllowlist = z.array(Cidr).max(100, 'must have at most 100 ranges');
const Grants = z.array(z.enum(GRANTS, { message: `must be one of ${GRANTS.join(', ')}` })).max(GRANTS.length);
const Code = z.string().min(1, 'must not be empty').max(64, 'must be at most 64 characters').regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'may contain only letters, digits and . _ : -');

export const UserPath = z.strictObject({ id: z.uuid({ message: 'must be a user id (UUID)' }) });
export const RolePath = z.strictObject({ role: Role });
export const ApiKeyPath = z.strictObject({ id: z.string().regex(/^[0-9a-f]{24}$/, 'must be an API key id') });

export const CreateUserRequest = z.strictObject({
  email: Email,
  name: Text(200),
  role: Role,
  password: z.string().max(256, 'must be at most 256 characters'),
  branch: Code.nullable().optional(),
  advisorId: Code.nullable().optional(),
  grants: Grants.optional(),
  ipAllowlist: IpAllowlist.optional(),
});
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;

export const UpdateUserRequest = z
  .strictObject({
    name: Text(200).optional(),
    role: Role.optional(),
    branch: Code.nullable().optional(),
    advisorId: Code.nullable().optional(),
    grants: Grants.optional(),
    ipAllowlist: IpAllowlist.optional(),
    disabled: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'give at least one field to change', path: [] });
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;

export const UserListQuery = z.strictObject({
  role: Role.optional(),
  branch: Code.optional(),
  limit: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(500, 'must be at most 500').default(100),
});

export const RoleAllowlistRequest = z.strictObject({ ipAllowlist: IpAllowlist });

export const CreateApiKeyRequest = z.strictObject({
  name: Text(200),
  scopes: z.array(z.enum(PERMISSIONS, { message: 'must be a known permission (see GET /access/roles)' })).min(1, 'must have at least one scope').max(PERMISSIONS.length),
  ipAllowlist: IpAllowlist.optional(),
  expiresAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
});
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequest>;
