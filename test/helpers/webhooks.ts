import assert from 'node:assert/strict';
import { sign } from '@octokit/webhooks-methods';

/**
 * Signed GitHub webhooks sent to the bot the way GitHub sends them (X-Hub-Signature-256 over
 * the exact body, a delivery id, the event name), built from what the fake GitHub's REST API
 * says of a run and its jobs: the payloads' `workflow_run` / `workflow_job` have that shape.
 */

export interface WebhookTarget {
  appUrl: string;
  secret: string;
}

/** A delivery as it goes on the wire: the exact body, and its signature (null: sent unsigned). */
export interface SignedDelivery {
  event: string;
  id: string;
  body: string;
  signature: string | null;
}

export interface DeliveryOptions {
  /** The delivery id (X-GitHub-Delivery); a fresh UUID unless given (a redelivery repeats one). */
  id?: string;
  /** Sign with this secret instead of the target's (a forged delivery). */
  secret?: string;
  /** Send this signature header instead (null: none at all). */
  signature?: string | null;
  /** Send this body instead of the payload's JSON (malformed JSON), signed as sent. */
  body?: string;
}

/** Signs a delivery ahead of sending it (a sender that must keep a pace signs first). */
export async function signDelivery(secret: string, event: string, payload: unknown, o: Omit<DeliveryOptions, 'secret'> = {}): Promise<SignedDelivery> {
  const body = o.body ?? JSON.stringify(payload);
  return { event, id: o.id ?? crypto.randomUUID(), body, signature: o.signature !== undefined ? o.signature : await sign(secret, body) };
}

/** Posts a signed delivery to the bot at `appUrl` with GitHub's headers. */
export function postDelivery(appUrl: string, d: SignedDelivery): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': d.event, 'x-github-delivery': d.id };
  if (d.signature !== null) headers['x-hub-signature-256'] = d.signature;
  return fetch(`${appUrl}/github/webhooks`, { method: 'POST', body: d.body, headers });
}

/** Signs and posts one delivery, as GitHub does; the bot's answer is the caller's to check. */
export async function deliver(t: WebhookTarget, event: string, payload: unknown, o: DeliveryOptions = {}): Promise<Response> {
  return postDelivery(t.appUrl, await signDelivery(o.secret ?? t.secret, event, payload, o));
}

async function getJson(url: string, token: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, { headers: { authorization: `token ${token}` } });
  assert.equal(res.status, 200, `GET ${url}`);
  return (await res.json()) as Record<string, unknown>;
}

/**
 * Delivers what GitHub sends while a run happens: `workflow_job` for each of its jobs, then
 * `workflow_run` (`completed` when it is). `github`: the fake's API URL and a token it takes
 * (these reads are the test's, not the bot's; count the bot's requests after them).
 */
export async function deliverRun(t: WebhookTarget, github: { apiUrl: string; token: string }, repo: string, runId: number): Promise<void> {
  const run = await getJson(`${github.apiUrl}/repos/${repo}/actions/runs/${runId}`, github.token);
  const jobs = (await getJson(`${github.apiUrl}/repos/${repo}/actions/runs/${runId}/jobs?filter=latest&per_page=100`, github.token)).jobs as unknown[];
  const repository = { full_name: repo };
  for (const job of jobs) {
    const status = (job as { status?: string }).status;
    const res = await deliver(t, 'workflow_job', { action: status === 'completed' ? 'completed' : 'in_progress', workflow_job: job, repository });
    assert.equal(res.status, 202);
  }
  const res = await deliver(t, 'workflow_run', { action: run.status === 'completed' ? 'completed' : 'in_progress', workflow_run: run, repository });
  assert.equal(res.status, 202);
}
