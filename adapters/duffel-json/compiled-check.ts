import Ajv2020 from 'ajv/dist/2020';
import { z } from 'zod';

/**
 * A fast acceptance check DERIVED from a zod schema, for the hot path of an offers page (hundreds
 * of offers, each about a hundred fields): zod's per-field cost (a payload object and an issues
 * array per field, plus a stripped copy of every object) was most of the page's validation time.
 *
 * The contract stays the zod schema in wire.schema.ts. `compileFastCheck` exports it as JSON
 * Schema (`z.toJSONSchema`, input side) and compiles that with Ajv, a maintained JSON Schema
 * compiler, in strict mode. A schema that cannot be exported exactly (transforms, formats Ajv does
 * not know...) makes it return null: then the caller validates with zod alone. The check is at
 * least as strict as zod (a regular expression keeps its source but not zod's flags, so it can
 * only refuse more; string lengths count code points, never more than zod's count): when it says
 * yes, zod says yes with the same values for every field the schema names; when it says no, the
 * caller runs zod, which names the offending path (or accepts). Defaults are written into the
 * input in place, as zod's output carries them; unknown keys stay on the input (nothing reads
 * them). `__tests__/compiled-check.test.ts` checks that agreement on mutations of every field of
 * the fixture offers and on random values.
 */

/** Returned by a compiled check for input that zod must judge. */
export const REJECT: unique symbol = Symbol('compiled-check reject');

const ajv = new Ajv2020({ strict: true, useDefaults: true, allErrors: false, validateSchema: true });

/**
 * The schema's fast check: the input (defaults filled in place) when it certainly passes `schema`,
 * else {@link REJECT}. Null when the schema cannot be compiled exactly: then validate with zod alone.
 */
export function compileFastCheck<S extends z.ZodType>(schema: S): ((raw: unknown) => z.infer<S> | typeof REJECT) | null {
  let validate: (raw: unknown) => boolean;
  try {
    // The output side must be exportable too: a transform makes zod's output differ from its input,
    // and this check hands back the input.
    z.toJSONSchema(schema, { io: 'output', unrepresentable: 'throw' });
    validate = ajv.compile(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' }));
  } catch {
    // Not exportable (a transform), or not compilable exactly (an unknown format), or code
    // generation is disallowed (--disallow-code-generation-from-strings): zod validates alone.
    return null;
  }
  return (raw) => (validate(raw) ? (raw as z.infer<S>) : REJECT);
}
