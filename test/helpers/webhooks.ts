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

export async function sendWebhook(t: WebhookTarget, event: string, payload: unknown, id: string = crypto.randomUUID()): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(`${t.appUrl}/github/webhooks`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': id,
      'x-hub-signature-256': await sign(t.secret, body),
    },
  });
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
    const res = await sendWebhook(t, 'workflow_job', { action: status === 'completed' ? 'completed' : 'in_progress', workflow_job: job, repository });
    assert.equal(res.status, 202);
  }
  const res = await sendWebhook(t, 'workflow_run', { action: run.status === 'completed' ? 'completed' : 'in_progress', workflow_run: run, repository });
  assert.equal(res.status, 202);
}
