import { v5 as uuidv5 } from 'uuid';

/** Namespace of customer ids derived from legacy ids (a fixed, random UUID). */
const LEGACY_CUSTOMER_NAMESPACE = '0f4c3d9e-7b7a-4f55-9a57-3f1e0c2b8d61';

/**
 * The Itinera id of a migrated customer: the same legacy system and (surviving) legacy id always
 * give the same id, so a migration run again writes the same rows instead of new ones.
 */
export function customerIdForLegacy(system: string, legacyId: string): string {
  return uuidv5(`${system}:customer:${legacyId}`, LEGACY_CUSTOMER_NAMESPACE);
}

/** Source keys: the idempotency keys of history rows taken from a legacy export. */
export const legacySourceKey = (system: string, kind: 'trip' | 'loyalty' | 'consent', id: string): string => `legacy:${system}:${kind}:${id}`;
