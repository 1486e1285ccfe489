import { DriverAdapterError, isDriverAdapterError, type SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';

interface PgErrorCause {
  kind: 'postgres';
  code: string;
  severity: string;
  message: string;
  detail?: string;
  column?: string;
  hint?: string;
}

/**
 * pglite-prisma-adapter 0.6.x (the last line for Prisma 6) reports every database error as a bare
 * `{kind: 'postgres'}`, so Prisma 6.19 neither recognises a unique violation (P2002) nor prints the
 * message ("Code: N/A. Message: undefined"). Classify SQLSTATEs the way @prisma/adapter-pg does, so
 * application code sees the same errors on PGlite as on PostgreSQL.
 */
function classify(cause: PgErrorCause): ConstructorParameters<typeof DriverAdapterError>[0] {
  const keyFields = cause.detail?.match(/Key \(([^)]+)\)/)?.[1]?.split(', ');
  const base = { originalCode: cause.code, originalMessage: cause.message };
  switch (cause.code) {
    case '23505':
      return { ...base, kind: 'UniqueConstraintViolation', constraint: keyFields ? { fields: keyFields } : undefined };
    case '23502':
      return { ...base, kind: 'NullConstraintViolation', constraint: cause.column ? { fields: [cause.column] } : undefined };
    case '23503':
      return { ...base, kind: 'ForeignKeyConstraintViolation', constraint: cause.column ? { fields: [cause.column] } : undefined };
    case '22001':
      return { ...base, kind: 'LengthMismatch', column: cause.column };
    case '22003':
      return { ...base, kind: 'ValueOutOfRange', cause: cause.message };
    case '40001':
      return { ...base, kind: 'TransactionWriteConflict' };
    default:
      return {
        ...base,
        kind: 'postgres',
        code: cause.code,
        severity: cause.severity,
        message: cause.message,
        detail: cause.detail,
        column: cause.column,
        hint: cause.hint,
      };
  }
}

function translate(err: unknown): unknown {
  if (isDriverAdapterError(err as Error) && (err as DriverAdapterError).cause.kind === 'postgres') {
    const cause = (err as DriverAdapterError).cause as PgErrorCause;
    if ('originalCode' in cause) return err;
    return new DriverAdapterError(classify(cause));
  }
  return err;
}

const QUERY_METHODS = new Set<PropertyKey>(['queryRaw', 'executeRaw', 'executeScript', 'commit', 'rollback']);

function withTranslatedErrors<T extends object>(target: T): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => Promise<unknown>;
      if (QUERY_METHODS.has(prop)) {
        return async (...args: unknown[]) => {
          try {
            return await fn.apply(obj, args);
          } catch (err) {
            throw translate(err);
          }
        };
      }
      if (prop === 'startTransaction') {
        return async (...args: unknown[]) => withTranslatedErrors((await fn.apply(obj, args)) as object);
      }
      return fn.bind(obj);
    },
  });
}

/** A Prisma driver-adapter factory over one PGlite instance, with PostgreSQL-compatible errors. */
export function pgliteAdapterFactory(db: PGlite): SqlDriverAdapterFactory {
  const inner = new PrismaPGlite(db);
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    async connect() {
      return withTranslatedErrors(await inner.connect());
    },
  };
}
