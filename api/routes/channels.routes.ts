import { Router } from 'express';
import { ChannelConfigError, type ConfigProblem, type PrismaChannelConfig } from '../../activities/channel-config.prisma';
import { ChannelRatesError, type PrismaChannelRates } from '../../activities/channel-rates.prisma';
import { inventorySyncWorkflowId } from '../../activities/channel-rates.activities';
import { addDays } from '../../domain/catalog/dates';
import { isoDateOf } from '../../domain/time/instant';
import type { PrismaClient } from '../../generated/prisma/client';
import { isTemporalUnreachable, TemporalUnavailableError, type TemporalClientProvider } from '../../infra/temporal';
import { rateOperationWorkflowId, type RateOperationOptions, type RateOperationWorkflow } from '../../workflows/channels/rate-operation.workflow';
import { TASK_QUEUES } from '../../workflows/task-queues';
import { NotFoundProblem, parseOrProblem, ProblemError, queryOf, type FieldError } from '../problem';
import { ConnectionListQuery, ConnectionPath, ManagerPath, OperationPath, ParityBreaksQuery, ParityQuery, PropertyPath } from '../schemas/channels.schema';

export interface ChannelRouteDeps {
  prisma: PrismaClient;
  config: PrismaChannelConfig;
  rates: PrismaChannelRates;
  temporal: TemporalClientProvider;
  /** Epoch ms (parity "now", default dates); tests pass a fixed one. */
  clock?: () => number;
  /** Passed to every RateOperationWorkflow (deadline, polling). */
  rateOperationOptions?: RateOperationOptions;
}

/** Default parity window: today and the next 30 nights. */
const DEFAULT_PARITY_DAYS = 30;

const pointers = (problems: readonly ConfigProblem[], root = ''): FieldError[] =>
  problems.length ? problems.map((p) => ({ pointer: `${root}/${p.path}`.replace(/\/$/, '') || '/', detail: p.message })) : [{ pointer: '/', detail: 'is invalid' }];

/** Store refusals as problems: input to fix 422, duplicates 409, unknown resources 404. */
async function call<T>(fn: () => Promise<T>, opts: { queryRoot?: boolean } = {}): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ChannelConfigError || err instanceof ChannelRatesError) {
      if (err.kind === 'conflict') throw new ProblemError(409, 'Conflict', err.message, '/problems/channel-conflict', { errors: pointers(err.problems) });
      if (err.kind === 'not-found' || err.kind === 'unknown-property') throw new NotFoundProblem(err.message);
      if (opts.queryRoot) throw new ProblemError(400, 'Invalid request', err.message, '/problems/invalid-request', { errors: pointers(err.problems, 'query:') });
      throw new ProblemError(422, 'Invalid request', err.message, '/problems/invalid-request', { errors: pointers(err.problems) });
    }
    throw err;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Channel-manager administration (issue 6): channel managers, connections, properties, coordinated
 * rate changes, parity and sync status. Bodies are JSON (the app's JSON parser); secrets are shown
 * only in the create response of a channel manager, passwords never.
 */
export function channelRoutes(deps: ChannelRouteDeps): Router {
  const router = Router();
  const clock = deps.clock ?? Date.now;

  /**
   * Best effort: tells the running sync workflows of the properties a connection carried before or
   * carries now to re-read their connections (`connectionsChanged`). A workflow not running picks
   * the change up when it starts; Temporal being down only delays it until the next sync start.
   */
  async function connectionsChanged(...propertyLists: string[][]): Promise<void> {
    const listed = new Set(propertyLists.flat());
    const hotels = listed.has('*') ? (await deps.config.listProperties()).map((p) => p.hotelCode) : [...listed];
    try {
      const client = await deps.temporal.get();
      await Promise.all(hotels.map((h) => client.workflow.getHandle(inventorySyncWorkflowId(h)).signal('connectionsChanged').catch(() => undefined)));
    } catch {
      // Temporal unreachable: see above.
    }
  }

  // ------------------------------------------------------------------ channel managers

  router.post('/channel-managers', async (req, res) => {
    const created = await call(() => deps.config.createManager(req.body));
    res.status(201).location(`/channel-managers/${encodeURIComponent(created.code)}`).json(created);
  });

  router.get('/channel-managers', async (_req, res) => {
    res.json({ channelManagers: await deps.config.listManagers() });
  });

  router.get('/channel-managers/:code', async (req, res) => {
    const { code } = parseOrProblem(ManagerPath, { code: req.params.code }, 'path:', 400);
    const manager = await deps.config.getManager(code);
    if (!manager) throw new NotFoundProblem(`No channel manager ${code}`);
    res.json(manager);
  });

  // ------------------------------------------------------------------ connections

  router.post('/channel-connections', async (req, res) => {
    const created = await call(() => deps.config.createConnection(req.body));
    await connectionsChanged(created.properties);
    res.status(201).location(`/channel-connections/${encodeURIComponent(created.code)}`).json(created);
  });

  router.get('/channel-connections', async (req, res) => {
    const q = parseOrProblem(ConnectionListQuery, queryOf(req), 'query:', 400);
    res.json({ channelConnections: await deps.config.listConnections({ channelManagerCode: q.manager, hotelCode: q.hotel }) });
  });

  router.get('/channel-connections/:code', async (req, res) => {
    const { code } = parseOrProblem(ConnectionPath, { code: req.params.code }, 'path:', 400);
    const connection = await deps.config.getConnection(code);
    if (!connection) throw new NotFoundProblem(`No channel connection ${code}`);
    res.json(connection);
  });

  router.patch('/channel-connections/:code', async (req, res) => {
    const { code } = parseOrProblem(ConnectionPath, { code: req.params.code }, 'path:', 400);
    const before = await deps.config.getConnection(code);
    const updated = await call(() => deps.config.updateConnection(code, req.body));
    await connectionsChanged(before?.properties ?? [], updated.properties);
    res.json(updated);
  });

  // ------------------------------------------------------------------ properties

  router.post('/channel-properties', async (req, res) => {
    const created = await call(() => deps.config.createProperty(req.body));
    res.status(201).location(`/channel-properties/${encodeURIComponent(created.hotelCode)}`).json(created);
  });

  router.get('/channel-properties', async (_req, res) => {
    res.json({ channelProperties: await deps.config.listProperties() });
  });

  router.get('/channel-properties/:hotelCode', async (req, res) => {
    const { hotelCode } = parseOrProblem(PropertyPath, { hotelCode: req.params.hotelCode }, 'path:', 400);
    const property = await deps.config.getProperty(hotelCode);
    if (!property) throw new NotFoundProblem(`No channel property ${hotelCode}`);
    res.json(property);
  });

  // ------------------------------------------------------------------ rates and parity

  /**
   * One coordinated rate change: stores the operation and its desired rates (one transaction), then
   * starts `channel-rates-<operationId>`, which gets every channel to acknowledge them. 202: follow
   * the Location. If Temporal cannot be reached, the operation is recorded FAILED (its rates stay
   * desired and reach the channels with the next sync) and the answer is 503: repeat the PUT.
   */
  router.put('/channel-properties/:hotelCode/rates', async (req, res) => {
    const { hotelCode } = parseOrProblem(PropertyPath, { hotelCode: req.params.hotelCode }, 'path:', 400);
    const body: unknown = req.body;
    if (isObject(body) && body.hotelCode !== undefined && body.hotelCode !== hotelCode) {
      throw new ProblemError(422, 'Invalid request', `hotelCode ${JSON.stringify(body.hotelCode)} differs from the URL's ${hotelCode}`, '/problems/invalid-request', {
        errors: [{ pointer: '/hotelCode', detail: `is ${JSON.stringify(body.hotelCode)} but the URL names ${hotelCode}` }],
      });
    }
    const input = isObject(body) ? { ...body, hotelCode } : body;
    const created = await call(() => deps.rates.createRateOperation(input, clock()));
    try {
      const client = await deps.temporal.get();
      await client.workflow.start<typeof RateOperationWorkflow>('RateOperationWorkflow', {
        taskQueue: TASK_QUEUES.channels,
        workflowId: rateOperationWorkflowId(created.operationId),
        args: deps.rateOperationOptions ? [created.operationId, deps.rateOperationOptions] : [created.operationId],
        staticSummary: `Rates ${hotelCode}: operation ${created.operationId}`,
      });
    } catch (err) {
      if (err instanceof TemporalUnavailableError || isTemporalUnreachable(err)) {
        await deps.rates.recordProgress(created.operationId, 'FAILED', {}, clock());
      }
      throw err;
    }
    res
      .status(202)
      .location(`/channel-rate-operations/${created.operationId}`)
      .json({ operationId: created.operationId, status: created.status, nights: created.nights, rows: created.rows, channels: created.channels });
  });

  router.get('/channel-rate-operations/:id', async (req, res) => {
    const { id } = parseOrProblem(OperationPath, { id: req.params.id }, 'path:', 400);
    const op = await deps.rates.getOperation(id);
    if (!op) throw new NotFoundProblem(`No channel rate operation ${id}`);
    res.json(op);
  });

  router.get('/channel-properties/:hotelCode/parity', async (req, res) => {
    const { hotelCode } = parseOrProblem(PropertyPath, { hotelCode: req.params.hotelCode }, 'path:', 400);
    const q = parseOrProblem(ParityQuery, queryOf(req), 'query:', 400);
    const now = clock();
    const from = q.from ?? isoDateOf(now);
    const to = q.to ?? addDays(from, DEFAULT_PARITY_DAYS);
    res.json(await call(() => deps.rates.parity(hotelCode, from, to, now), { queryRoot: true }));
  });

  router.get('/channel-parity-breaks', async (req, res) => {
    const q = parseOrProblem(ParityBreaksQuery, queryOf(req), 'query:', 400);
    res.json(await call(() => deps.rates.findParityBreaks({ hotelCode: q.hotel, from: q.from, to: q.to, limit: q.limit }, clock()), { queryRoot: true }));
  });

  /**
   * What each connection carrying the property acknowledged (channel_sync_states, rate acks) and,
   * when the property's sync workflow runs, its `syncStatus` query (null when it is not running or
   * has no such query).
   */
  router.get('/channel-properties/:hotelCode/sync', async (req, res) => {
    const { hotelCode } = parseOrProblem(PropertyPath, { hotelCode: req.params.hotelCode }, 'path:', 400);
    const summary = await deps.rates.syncSummary(hotelCode);
    if (!summary) throw new NotFoundProblem(`No channel property ${hotelCode}`);
    let workflow: { workflowId: string; status: unknown } = { workflowId: inventorySyncWorkflowId(hotelCode), status: null };
    try {
      const client = await deps.temporal.get();
      workflow = { ...workflow, status: await client.workflow.getHandle(workflow.workflowId).query('syncStatus') };
    } catch {
      // Not running, no such query, or Temporal unreachable: the database summary stands alone.
    }
    res.json({ ...summary, workflow });
  });

  return router;
}
