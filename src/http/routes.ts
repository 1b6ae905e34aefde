import type { ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import { looksSigned, verifyGitHubSignature } from './webhookSignature.js';
import { takeDelivery } from '../services/events/intake.js';
import { webhookDeliveries } from '../metrics/registry.js';
import { appMetrics } from '../metrics/appMetrics.js';
import { BodyBudget, BodyTimeoutError, readBody } from './body.js';
import { entryPageRoutes } from './entryPage.js';
import { ENTRY_LINK_IN_TEXT, maskedPageEnabled } from '../services/entryLinks.js';
import type { WebClient } from '@slack/web-api';
import type { StartupStatus } from '../services/startupChecks.js';

const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024; // GitHub caps payloads at 25 MB
/**
 * Webhook bodies are read before the signature can be checked, from anyone: at most
 * 4 at once and 32 MiB between them (one delivery of GitHub's maximum size fits), each
 * within 30 s. Beyond that the answer is 503 at once, nothing read.
 */
const WEBHOOK_READS = 4;
const WEBHOOK_READ_BYTES = 32 * 1024 * 1024;
const WEBHOOK_READ_MS = 30_000;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Answers without reading (the rest of) the body, and closes the connection so it is not read either. */
function refuse(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  json(res, status, body, { connection: 'close', ...headers });
}

/**
 * Health, readiness, metrics and the GitHub webhook endpoint, served beside Slack's
 * `/slack/events`; and the masked entry page where it is on. `client`: the app's Slack client.
 * `startup`: not ready while the start-up checks wait for a host (/readyz says which, and why).
 */
export function customRoutes(deps: AppDeps, client: () => WebClient, startup: StartupStatus): CustomRoute[] {
  const log = deps.logger.child({ component: 'http' });
  const metrics = appMetrics(deps);
  // Whether or not this replica serves the page, a link in a logged URL is masked.
  deps.sanitizer.maskPattern(ENTRY_LINK_IN_TEXT.re, ENTRY_LINK_IN_TEXT.replacement);
  const webhookReads = new BodyBudget(WEBHOOK_READS, WEBHOOK_READ_BYTES);
  return [
    ...(maskedPageEnabled(deps) ? entryPageRoutes(deps, client) : []),
    { path: '/healthz', method: 'GET', handler: (_req, res) => json(res, 200, { status: 'ok' }) },
    {
      path: '/readyz',
      method: 'GET',
      handler: (_req, res) => {
        if (!startup.ready) return json(res, 503, { ...startup.report(), store: deps.store.dialect });
        deps.store.ping().then(
          () => json(res, 200, { status: 'ready', store: deps.store.dialect }),
          (e: unknown) => {
            log.warn({ err: e }, 'not ready: store does not answer');
            json(res, 503, { status: 'not ready', store: 'unavailable' });
          },
        );
      },
    },
    {
      path: '/metrics',
      method: 'GET',
      handler: (_req, res) => {
        metrics.render().then(
          (body) => {
            res.writeHead(200, { 'content-type': metrics.contentType });
            res.end(body);
          },
          (e: unknown) => {
            log.warn({ err: e }, 'metrics could not be collected');
            json(res, 503, { error: 'metrics unavailable' });
          },
        );
      },
    },
    {
      path: '/github/webhooks',
      method: 'POST',
      handler: (req, res) => {
        const secret = deps.config.env.GITHUB_WEBHOOK_SECRET;
        if (!secret) return refuse(res, 404, { error: 'webhooks are not enabled (GITHUB_WEBHOOK_SECRET is unset)' });
        // Unsigned requests are refused before their body is read: they can never be accepted.
        const given = req.headers['x-hub-signature-256'];
        if (!looksSigned(given)) {
          webhookDeliveries.inc({ outcome: 'rejected' });
          return refuse(res, 401, { error: 'missing or malformed X-Hub-Signature-256' });
        }
        const length = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
        if (length !== null && (!Number.isFinite(length) || length > MAX_WEBHOOK_BYTES)) return refuse(res, 413, { error: 'payload too large' });
        const slot = webhookReads.take(length);
        if (!slot) {
          webhookDeliveries.inc({ outcome: 'shed' });
          return refuse(res, 503, { error: 'busy; retry later' }, { 'retry-after': '1' });
        }
        let overBudget = false;
        const admit = (bytes: number) => slot.admit(bytes) || ((overBudget = true), false);
        readBody(req, MAX_WEBHOOK_BYTES, { admit, timeoutMs: WEBHOOK_READ_MS })
          .then(
            (body) => {
              if (!body)
                return overBudget ? refuse(res, 503, { error: 'busy; retry later' }, { 'retry-after': '1' }) : refuse(res, 413, { error: 'payload too large' });
              return verifyGitHubSignature(secret, body, given).then(async (valid) => {
                if (!valid) {
                  webhookDeliveries.inc({ outcome: 'rejected' });
                  return json(res, 401, { error: 'invalid signature' });
                }
                webhookDeliveries.inc({ outcome: 'accepted' });
                const header = (name: string) => (typeof req.headers[name] === 'string' ? req.headers[name] : undefined);
                // Stored before the answer: a 2xx means the delivery is safe in the store.
                const out = await takeDelivery(deps, {
                  deliveryId: header('x-github-delivery'),
                  event: header('x-github-event'),
                  body: body.toString('utf8'),
                }).catch((e: unknown) => {
                  log.warn({ err: e }, 'webhook delivery could not be stored');
                  return { status: 503, body: { error: 'the delivery could not be stored; redeliver it later' } } as const;
                });
                log.debug({ event: header('x-github-event'), delivery: header('x-github-delivery'), status: out.status }, 'webhook taken');
                json(res, out.status, out.body);
              });
            },
            (e: unknown) => {
              if (e instanceof BodyTimeoutError) return refuse(res, 408, { error: 'body not received in time' });
              log.warn({ err: e }, 'webhook body could not be read');
              if (!res.headersSent) refuse(res, 400, { error: 'unreadable body' });
            },
          )
          .finally(() => slot.release());
      },
    },
  ];
}
