import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { Webhook } from 'standardwebhooks';
import { handOverNotifications } from '../../activities/channel-reservation.activities';
import { sha256Hex, type ChannelManagerAuth, type PrismaChannelInbox } from '../../activities/channel-inbox.prisma';
import { buildReservationNotificationResponse, parseReservationNotification } from '../../adapters/opentravel-xml/inbound';
import type { OtaProblem } from '../../domain/channels/model';
import type { PrismaClient } from '../../generated/prisma/client';
import type { Logger } from '../../infra/logger';
import type { TemporalClientProvider } from '../../infra/temporal';
import { BranchGuard, requestScope, seesAll } from '../access/branch-scope';
import { NotFoundProblem, parseOrProblem, ProblemError, queryOf } from '../problem';
import { ChannelManagerPath, ChannelReservationListQuery, ChannelReservationPath } from '../schemas/channel-webhooks.schema';

export interface ChannelWebhookRouteDeps {
  prisma: PrismaClient;
  inbox: PrismaChannelInbox;
  /** Where stored notifications are handed over (signalWithStart); only `get` is used. */
  temporal: Pick<TemporalClientProvider, 'get'>;
  logger: Logger;
  /** Epoch ms: the clock the webhook timestamp tolerance is checked against (tests pass a fixed one). */
  clock?: () => number;
}

/** Standard Webhooks timestamp tolerance: ±5 minutes. */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;
/** Largest notification body accepted. */
const BODY_LIMIT = '1mb';

/** One answer for every authentication failure: it says nothing about which check failed. */
class WebhookUnauthorized extends ProblemError {
  constructor() {
    super(401, 'Unauthorized', 'The notification could not be authenticated.', '/problems/unauthorized');
  }
}

/** Equality of two secrets in constant time (digests first, so lengths leak nothing either). */
function sameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

/**
 * Why a Standard Webhooks request fails verification, or null when it is good: the three headers
 * are present, `webhook-timestamp` is within ±5 minutes of `now`, and one `v1,` signature of
 * `webhook-signature` is the HMAC-SHA256 of `<id>.<timestamp>.<body>` under the secret (signed
 * with the library; compared in constant time). The library's own `verify` reads the host clock,
 * so the timestamp is checked here against the injected one.
 */
export function standardWebhookProblem(secret: string, headers: Record<string, string | undefined>, body: string, nowMs: number): string | null {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) return 'missing webhook-id, webhook-timestamp or webhook-signature header';
  if (!/^\d{1,12}$/.test(timestamp)) return 'webhook-timestamp is not a number of seconds';
  const seconds = Number(timestamp);
  if (Math.abs(nowMs / 1000 - seconds) > WEBHOOK_TOLERANCE_SECONDS) return `webhook-timestamp ${seconds} is outside ±${WEBHOOK_TOLERANCE_SECONDS} s of now`;
  let expected: string;
  try {
    expected = new Webhook(secret).sign(id, new Date(seconds * 1000), body).split(',')[1]!;
  } catch (err) {
    return `the channel manager's webhook secret is unusable: ${err instanceof Error ? err.message : String(err)}`;
  }
  const want = Buffer.from(expected, 'utf8');
  for (const versioned of signatures.split(' ')) {
    const [version, signature] = versioned.split(',');
    if (version !== 'v1' || !signature) continue;
    const got = Buffer.from(signature, 'utf8');
    if (got.length === want.length && timingSafeEqual(got, want)) return null;
  }
  return 'no matching v1 signature';
}

const headerOf = (req: Request, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Inbound channel-manager booking notifications and the channel reservations they make.
 *
 * `POST /channel-managers/:code/notifications` takes an OTA_HotelResNotifRQ (bare or in SOAP)
 * and answers OTA_HotelResNotifRS once it is durably stored; processing happens afterwards in
 * ChannelReservationWorkflow. The body is read here as raw bytes (express.raw, 1 MB): the app's
 * JSON parser and 415 check must skip this path, and the signature is over the exact bytes.
 *
 * Authentication comes before anything is parsed or stored:
 * - an unknown or inactive channel manager is 401 (not 404: the answer does not reveal which
 *   codes exist), like every other failure below, with the same problem body;
 * - a manager with a webhook secret must sign Standard Webhooks style (±5 minutes); a webhook id
 *   seen before with another body is a replay (401), with the same body a redelivery (answered as
 *   the first time, nothing changes);
 * - a manager without a secret but with WS-Security credentials must send a matching
 *   UsernameToken in the SOAP header;
 * - a manager with neither cannot be authenticated (401, logged as a configuration error).
 * Bad XML and unknown hotel / room type / rate plan codes are answered the OTA way: HTTP 200 with
 * Errors, nothing stored.
 */
export function channelWebhookRoutes(deps: ChannelWebhookRouteDeps): Router {
  const router = Router();
  const clock = deps.clock ?? Date.now;
  const raw = express.raw({ type: () => true, limit: BODY_LIMIT });

  const sendOta = (res: Response, xml: string) => res.status(200).type('application/xml').send(xml);

  router.post('/channel-managers/:code/notifications', raw, async (req, res) => {
    const started = clock();
    const code = parseOrProblem(ChannelManagerPath, { code: req.params.code }, 'path:', 400).code;
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : '', 'utf8');
    const body = bytes.toString('utf8');
    const refuse = (reason: string, level: 'warn' | 'error' = 'warn'): never => {
      deps.logger[level]({ manager: code, reason, ip: req.ip }, 'channel webhook refused (401)');
      throw new WebhookUnauthorized();
    };

    const manager: ChannelManagerAuth | null = await deps.inbox.manager(code);
    if (!manager || !manager.active) refuse(manager ? 'channel manager inactive' : 'unknown channel manager');
    const auth = manager!;
    const bodySha256 = sha256Hex(bytes);
    let messageId: string | null = null;
    if (auth.webhookSecret) {
      const headers = { 'webhook-id': headerOf(req, 'webhook-id'), 'webhook-timestamp': headerOf(req, 'webhook-timestamp'), 'webhook-signature': headerOf(req, 'webhook-signature') };
      const problem = standardWebhookProblem(auth.webhookSecret, headers, body, clock());
      if (problem) refuse(problem, problem.startsWith("the channel manager's") ? 'error' : 'warn');
      messageId = headers['webhook-id']!.slice(0, 128);
      if ((await deps.inbox.messageSeen(code, messageId, bodySha256)) === 'replay') refuse(`webhook-id ${messageId} replayed with another body`);
    } else if (!auth.wsse) {
      refuse('channel manager has neither a webhook secret nor WS-Security credentials', 'error');
    }

    const parsed = parseReservationNotification(body);
    if (!auth.webhookSecret) {
      const wsse = parsed.ok ? parsed.wsse : null;
      if (!wsse) refuse(parsed.ok ? 'no WS-Security UsernameToken' : 'unreadable message: no WS-Security UsernameToken');
      const userOk = sameSecret(wsse!.username, auth.wsse!.username);
      const passOk = sameSecret(wsse!.password, auth.wsse!.password);
      if (!userOk || !passOk) refuse('wrong WS-Security credentials');
    }

    const answerErrors = (echoToken: string | null, problems: OtaProblem[], what: string) => {
      deps.logger.warn({ manager: code, echoToken, problems }, `channel notification refused: ${what}`);
      sendOta(res, buildReservationNotificationResponse({ echoToken, timeStamp: clock(), results: [], problems }));
    };
    if (!parsed.ok) return answerErrors(parsed.echoToken, parsed.problems, 'malformed');
    const notification = parsed.notification;
    const codeProblems = await deps.inbox.validateCodes(notification);
    if (codeProblems.length) return answerErrors(notification.echoToken, codeProblems, 'unknown codes');

    const stored = await deps.inbox.store({ managerCode: code, messageId, bodySha256, raw: body, notification, now: new Date(clock()) });
    if (stored.kind === 'replay') return refuse(`webhook-id ${messageId} replayed with another body`);
    sendOta(res, buildReservationNotificationResponse({ echoToken: notification.echoToken, timeStamp: clock(), results: stored.results }));
    deps.logger.info(
      { manager: code, messageId, echoToken: notification.echoToken, reservations: stored.results.map((r) => r.reservationId), duplicates: stored.duplicates, ackMs: clock() - started },
      'channel notification stored and acknowledged',
    );

    // After the answer: the sweep re-signals whatever is not handed over here.
    if (stored.pending.length) {
      void deps.temporal
        .get()
        .then((client) => handOverNotifications(client, stored.pending, deps.logger))
        .catch((err: unknown) => deps.logger.warn({ err, manager: code, pending: stored.pending.length }, 'Temporal unavailable: channel notifications left for the sweep'));
    }
  });

  const guard = new BranchGuard(deps.prisma);

  router.get('/channel-reservations', async (req, res) => {
    const q = parseOrProblem(ChannelReservationListQuery, queryOf(req), 'query:', 400);
    const scope = requestScope(res);
    // A branch-limited principal sees the reservations routed to their branch's advisors only,
    // filtered in the query so `limit` counts what they may see.
    const advisorIds = seesAll(scope) ? undefined : await guard.advisorIds(scope);
    res.json({ items: await deps.inbox.listReservations({ hotelCode: q.hotel, status: q.status, limit: q.limit ?? 100, ...(advisorIds ? { advisorIds } : {}) }) });
  });

  router.get('/channel-reservations/:manager/:id', async (req, res) => {
    const p = parseOrProblem(ChannelReservationPath, { manager: req.params.manager, id: req.params.id }, 'path:', 400);
    const found = await deps.inbox.getReservation(p.manager, p.id);
    if (!found || !(await guard.advisorInScope(requestScope(res), found.reservation?.advisorId))) throw new NotFoundProblem(`No channel reservation ${p.id} from ${p.manager}`);
    res.json(found);
  });

  return router;
}
