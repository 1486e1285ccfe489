/**
 * Problems found in catalog input (suppliers, products, allotment contracts, stop sales, markup
 * rules). Validation never stops at the first mistake: every problem is collected, each with the
 * path of the offending field in a readable form (`rates[3].validTo`, `iban`,
 * `cancellationPolicy.windows[1].amount`) and a message saying what is wrong.
 */
export interface CatalogProblem {
  /** Readable path into the input: dotted fields, `[i]` for array elements; "" for the whole input. */
  path: string;
  message: string;
}

/** How many problems the error message spells out; `problems` always holds all of them. */
const MESSAGE_LIMIT = 20;

/** Catalog input that can never be accepted as submitted; `problems` lists every reason. */
export class CatalogValidationError extends Error {
  constructor(
    readonly problems: CatalogProblem[],
    what: string,
  ) {
    const shown = problems.slice(0, MESSAGE_LIMIT).map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
    const more = problems.length > MESSAGE_LIMIT ? `; ... and ${problems.length - MESSAGE_LIMIT} more` : '';
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${what}: ${shown.join('; ')}${more}`);
    this.name = 'CatalogValidationError';
  }
}

/** `['rates', 3, 'validTo']` → `rates[3].validTo`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}

/** `rates[3].validTo` → the JSON Pointer `/rates/3/validTo` (RFC 6901), for RFC 9457 `errors`. */
export function pathToPointer(path: string): string {
  if (!path) return '/';
  const segments = path.match(/[^.[\]]+/g) ?? [];
  return segments.map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
