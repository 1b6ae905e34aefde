import type { ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import { verifyGitHubSignature } from './webhookSignature.js';
import { webhookDeliveries } from '../metrics/registry.js';
import { appMetrics } from '../metrics/appMetrics.js';
import { readBody } from './body.js';
import { entryPageRoutes } from './entryPage.js';
import { ENTRY_LINK_IN_TEXT, maskedPageEnabled } from '../services/entryLinks.js';
import type { WebClient } from '@slack/web-api';
import type { StartupStatus } from '../services/startupChecks.js';

const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024; // GitHub caps payloads at 25 MB

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
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
        if (!secret) return json(res, 404, { error: 'webhooks are not enabled (GITHUB_WEBHOOK_SECRET is unset)' });
        readBody(req, MAX_WEBHOOK_BYTES).then(
          (body) => {
            if (!body) return json(res, 413, { error: 'payload too large' });
            const signature = req.headers['x-hub-signature-256'];
            if (!verifyGitHubSignature(secret, body, typeof signature === 'string' ? signature : undefined)) {
              webhookDeliveries.inc({ outcome: 'rejected' });
              return json(res, 401, { error: 'invalid signature' });
            }
            webhookDeliveries.inc({ outcome: 'accepted' });
            // Events are accepted and dropped until a feature subscribes (the run follower polls today).
            log.debug({ event: req.headers['x-github-event'], delivery: req.headers['x-github-delivery'] }, 'webhook accepted');
            json(res, 202, { accepted: true });
          },
          (e: unknown) => {
            log.warn({ err: e }, 'webhook body could not be read');
            json(res, 400, { error: 'unreadable body' });
          },
        );
      },
    },
  ];
}
