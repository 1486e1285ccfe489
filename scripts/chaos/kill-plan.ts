import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import { between, pick, stream, type Rng } from './prng';

/**
 * Where one life of the worker child ends:
 * - `wall`: at a random moment, by the harness (SIGKILL from outside, whatever was running);
 * - `boundary`: at the `afterCalls`-th activity call, before the activity runs (the task was
 *   delivered, nothing done: Temporal must retry it after the timeout);
 * - `mid`: at the `afterCalls`-th call of a side-effecting activity, after its work committed but
 *   before the result reaches Temporal (the acknowledgement is lost: the retry must find the first
 *   result by its idempotency key, never do the work twice);
 * - `none`: the last life, left to run clean.
 */
export type KillKind = 'wall' | 'boundary' | 'mid';
export type KillPlan = { kind: KillKind; life: number; afterMs: number; afterCalls: number } | { kind: 'none'; life: number; afterMs: 0; afterCalls: 0 };

/** The environment variable the harness passes a child's plan in (JSON). */
export const KILL_PLAN_ENV = 'CHAOS_KILL_PLAN';
/** The line a child prints (stderr) just before it kills itself, for the harness's tally. */
export const KILL_MARK = 'CHAOS-KILL';

/** Activities whose completion changes something outside the workflow: `mid` kills land after one of these. */
export const SIDE_EFFECT_ACTIVITIES: ReadonlySet<string> = new Set([
  'holdBookingComponent',
  'confirmBookingComponent',
  'releaseBookingComponent',
  'refundCustomerPayment',
  'postLedgerEntry',
  'saveBookingProjection',
  'publishBooking',
  'sendBookingNotice',
  'deferBookingRevenue',
  'cancelBookingRevenue',
  'createFlightOrder',
  'payFlightOrder',
  'confirmFlightCancellation',
  'confirmFlightChange',
]);

/** The plan of life `life` (1-based) of a run with this seed and `kills` planned kills. */
export function planFor(seed: number, life: number, kills: number): KillPlan {
  if (life > kills) return { kind: 'none', life, afterMs: 0, afterCalls: 0 };
  const rng: Rng = stream(seed, 1000 + life);
  const kind = pick<KillKind>(rng, [
    ['wall', 1],
    ['boundary', 1],
    ['mid', 1],
  ]);
  return { kind, life, afterMs: between(rng, 2_000, 12_000), afterCalls: kind === 'mid' ? between(rng, 3, 40) : between(rng, 5, 120) };
}

/**
 * The worker-side half of a plan: counts activity executions (local ones too: they run through
 * the same interceptors) and SIGKILLs this process at the planned call. Nothing is flushed and no
 * handler runs: that is the point.
 */
export function killInterceptors(plan: KillPlan, say: (line: string) => void): ActivityInterceptorsFactory {
  let calls = 0;
  let fired = false;
  const die = (where: string): never => {
    fired = true;
    say(`${KILL_MARK} life=${plan.life} kind=${plan.kind} call=${calls} ${where}`);
    process.kill(process.pid, 'SIGKILL');
    // SIGKILL is not delivered synchronously everywhere: never let the activity go on meanwhile.
    return new Promise<never>(() => undefined) as never;
  };
  return (ctx) => {
    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input, next) {
        if (fired || (plan.kind !== 'boundary' && plan.kind !== 'mid')) return next(input);
        const type = ctx.info.activityType;
        const where = `${ctx.info.isLocal ? 'local ' : ''}activity ${type} of ${ctx.info.workflowExecution?.workflowId ?? '?'} attempt ${ctx.info.attempt}`;
        if (plan.kind === 'boundary') {
          if (++calls >= plan.afterCalls) await die(`before ${where}`);
          return next(input);
        }
        if (!SIDE_EFFECT_ACTIVITIES.has(type)) return next(input);
        const mine = ++calls >= plan.afterCalls;
        const result = await next(input);
        if (mine) await die(`after ${where} (work done, result not yet reported)`);
        return result;
      },
    };
    return { inbound };
  };
}
