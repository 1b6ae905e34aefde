/**
 * Part 11 of `npm run bench` (issue 19): webhook to Slack under a burst of 100 signed
 * deliveries a second for 10 s. The bot runs in a process of its own (bench/appProcess.ts);
 * the fakes and this sender share the bench process, so the fakes' Slack timestamps and
 * the send times are read on one clock. Before the burst, one failed sync is delivered and
 * alerted as a warm-up (not measured).
 *
 * Which Slack call a delivery caused (decided here, documented in the README):
 *  - a sync run's `workflow_run completed`: the first chat.postMessage/chat.update after it
 *    was sent whose text links that run's sync job (its html_url names the job id). A pass
 *    after a pass causes none (alerts.sync: failures).
 *  - a release progress delivery (the job state was changed in the fake just before it was
 *    sent): the first chat.update of the release message, or reply in its thread, after it
 *    was sent and before the next release change was sent (they are 1.2 s apart, more than
 *    the follower's 1 s edit gap, so each edit has one cause).
 *  - everything else (job events of sync runs, other workflows, unconfigured repositories,
 *    ignored event types) is stored or dropped and causes none.
 * BENCH_DEBUG=1 also prints the release deliveries and the Slack calls about the release.
 */
import { FakeGitHub } from '@chatops/fake-github';
import { seedPywats } from '@chatops/fake-github/scenario.js';
import { FakeSlack, sendBlockAction, sendSlashCommand } from '@chatops/fake-slack';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BOT_TOKEN, CHANNEL, SIGNING_SECRET, USERS } from '../test/helpers/harness.js';
import { deliver, postDelivery, signDelivery, type SignedDelivery } from '../test/helpers/webhooks.js';

type SpawnReady = <T>(script: string, args: string[]) => Promise<{ info: T; pid: number; stop: () => Promise<void> }>;

const SECRET = 'bench-webhook-secret'; // the one bench/appProcess.ts gives the bot
const RATE = 100;
const SECONDS = 10;
const TOTAL = RATE * SECONDS;
const SYNC_RUNS = 30;
const RELEASE_CHANGES = 8;
const RELEASE_EVERY_SLOTS = 120; // 1.2 s

interface Delivery {
  event: string;
  payload: unknown;
  /** What the delivery should cause in Slack, for matching. */
  cause?: { kind: 'sync'; jobUrl: string } | { kind: 'release'; change: number };
  /** Done just before sending (the release run moves in the fake, as GitHub's would before it tells). */
  before?: () => void;
  label: string;
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? NaN;
}

function figures(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const f = (n: number) => `${n.toFixed(0)} ms`;
  return `p50 ${f(percentile(s, 50))}, p95 ${f(percentile(s, 95))}, p99 ${f(percentile(s, 99))}, max ${f(s.at(-1) ?? NaN)} (n ${s.length})`;
}

/** User + system CPU time of a process, seconds (Linux /proc; clock ticks of 1/100 s). */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function api(github: FakeGitHub, token: string, path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${github.apiUrl}${path}`, { headers: { authorization: `token ${token}` } });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

export async function webhookToSlack(spawnReady: SpawnReady): Promise<void> {
  const slack = new FakeSlack({ botToken: BOT_TOKEN });
  const github = new FakeGitHub({ flavor: 'dotcom' });
  const ghe = new FakeGitHub({ flavor: 'ghes', webHost: 'wats.ghe.com' });
  await Promise.all([slack.start(), github.start(), ghe.start()]);
  const seed = seedPywats(github, ghe);
  const repo = seed.github.repo;
  const token = seed.github.token;
  const repository = { full_name: repo };
  const bot = await spawnReady<{ url: string }>('./appProcess.ts', [
    'bot',
    JSON.stringify({ slackApiUrl: slack.apiUrl, githubUrl: github.url, gheUrl: ghe.url, seed }),
  ]);
  try {
    // A release dispatched from Slack before the burst: its progress is what the burst moves.
    const responseUrl = slack.responseUrl({ channel: CHANNEL, user: USERS.alice });
    await sendSlashCommand(bot.info.url, SIGNING_SECRET, {
      command: '/release',
      text: 'v0.1.0b39',
      user_id: USERS.alice,
      channel_id: CHANNEL,
      response_url: responseUrl,
    });
    const id = new URL(responseUrl).pathname.replace(/^\/response\//, '');
    const confirm = JSON.stringify((await slack.waitFor((c) => c.method === 'response_url' && c.responseUrlId === id, 15_000)).args);
    const releaseId = /"action_id":"release_confirm","value":"([^"]+)"/.exec(confirm)?.[1];
    if (!releaseId) throw new Error(`no release confirmation: ${confirm.slice(0, 300)}`);
    await sendBlockAction(bot.info.url, SIGNING_SECRET, {
      user_id: USERS.alice,
      channel_id: CHANNEL,
      action_id: 'release_confirm',
      value: releaseId,
      response_url: slack.responseUrl({ channel: CHANNEL, user: USERS.alice }),
    });
    await slack.waitFor((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes('v0.1.0b39'), 15_000);
    const releaseTs = slack.workspace.messages(CHANNEL).find((m) => m.ts && !m.ephemeralTo && (m.text ?? '').startsWith('Release v0.1.0b39'))?.ts;
    const releaseRun = github.runs(repo, '.github/workflows/release.yml').find((r) => r.event === 'workflow_dispatch');
    if (!releaseTs || !releaseRun) throw new Error('the release was not dispatched');
    await new Promise((r) => setTimeout(r, 1500)); // the follower's first look is over

    // Warm-up, not measured: one failed sync delivered and alerted (the bot's first alert loads
    // code and opens connections; under tsx that first one took seconds).
    const warmRun = github.simulateRun(
      repo,
      '.github/workflows/publish.yml',
      { event: 'push', headBranch: 'main', headSha: seed.github.mainSha, actor: 'olreppe' },
      {
        'sync-to-ghe': { conclusion: 'failure', failedStep: 'Push to GitHub Enterprise', log: 'fatal: unable to access: Could not resolve host' },
      },
    );
    const warmRunJson = await api(github, token, `/repos/${repo}/actions/runs/${warmRun}`);
    const warmCalls = slack.calls.length;
    await deliver({ appUrl: bot.info.url, secret: SECRET }, 'workflow_run', { action: 'completed', workflow_run: warmRunJson, repository }, { id: 'warm-up' });
    await slack.waitFor((c) => c.method.startsWith('chat.') && slack.calls.indexOf(c) >= warmCalls, 30_000);
    await new Promise((r) => setTimeout(r, 500));

    // Sync runs, completed in the fake before the burst: fail, fail, pass, … (post, reply, recovered).
    const authFailure = {
      'sync-to-ghe': {
        conclusion: 'failure' as const,
        failedStep: 'Push to GitHub Enterprise',
        log: "fatal: Authentication failed for 'https://wats.ghe.com/WATS/pyWATS.git/'",
      },
    };
    const syncStreams: Delivery[][] = [];
    for (let k = 0; k < SYNC_RUNS; k += 1) {
      const failed = k % 3 !== 2;
      const runId = github.simulateRun(
        repo,
        '.github/workflows/publish.yml',
        { event: 'push', headBranch: 'main', headSha: seed.github.mainSha, actor: 'olreppe' },
        failed ? authFailure : {},
      );
      const run = await api(github, token, `/repos/${repo}/actions/runs/${runId}`);
      const jobs = (await api(github, token, `/repos/${repo}/actions/runs/${runId}/jobs?filter=latest&per_page=100`)).jobs as Array<Record<string, unknown>>;
      const syncJob = jobs.find((j) => String(j.name).toLowerCase().includes('sync') || String(j.name).includes('Enterprise')) ?? jobs.at(-1);
      const stream: Delivery[] = [
        {
          event: 'workflow_run',
          payload: { action: 'requested', workflow_run: { ...run, status: 'queued', conclusion: null }, repository },
          label: 'sync run',
        },
        {
          event: 'workflow_run',
          payload: { action: 'in_progress', workflow_run: { ...run, status: 'in_progress', conclusion: null }, repository },
          label: 'sync run',
        },
      ];
      for (const j of jobs) {
        stream.push({
          event: 'workflow_job',
          payload: { action: 'queued', workflow_job: { ...j, status: 'queued', conclusion: null, steps: [] }, repository },
          label: 'sync job',
        });
        stream.push({
          event: 'workflow_job',
          payload: { action: 'in_progress', workflow_job: { ...j, status: 'in_progress', conclusion: null, steps: [] }, repository },
          label: 'sync job',
        });
        stream.push({ event: 'workflow_job', payload: { action: 'completed', workflow_job: j, repository }, label: 'sync job' });
      }
      stream.push({
        event: 'workflow_run',
        payload: { action: 'completed', workflow_run: run, repository },
        label: failed ? 'sync run completed (failed)' : 'sync run completed (passed)',
        cause: { kind: 'sync', jobUrl: String(syncJob?.html_url) },
      });
      syncStreams.push(stream);
    }

    // Release progress: each change moves a job in the fake, then says so.
    const releaseJobs = ['build', 'provenance', 'sign', 'release'];
    const releaseChanges: Delivery[] = [];
    for (let c = 0; c < RELEASE_CHANGES; c += 1) {
      const key = releaseJobs[Math.floor(c / 2)] ?? 'build';
      const status = c % 2 === 0 ? 'in_progress' : 'completed';
      const before = () => github.setJob(releaseRun.id, key, status === 'completed' ? { status, conclusion: 'success' } : { status });
      // The payload is read from the fake when it is sent, after `before` moved the job.
      releaseChanges.push({
        event: c === 0 ? 'workflow_run' : 'workflow_job',
        payload: null,
        label: 'release progress',
        cause: { kind: 'release', change: c },
        before,
      });
    }

    // Filler: another workflow of the configured repo, unconfigured repositories, ignored events.
    const template = syncStreams[0]?.[0]?.payload as { workflow_run: Record<string, unknown> };
    const templateJob = (syncStreams[0]?.[2]?.payload as { workflow_job: Record<string, unknown> }).workflow_job;
    const filler: Delivery[] = [];
    for (let i = 0; filler.length < TOTAL; i += 1) {
      const ciRun = {
        ...template.workflow_run,
        id: 9_000_000 + i,
        workflow_id: 4242,
        name: 'CI',
        path: '.github/workflows/ci.yml',
        status: 'completed',
        conclusion: 'success',
      };
      const ciJob = { ...templateJob, id: 9_500_000 + i, run_id: 9_000_000 + i, name: 'test', status: 'completed', conclusion: 'success' };
      switch (i % 5) {
        case 0:
          filler.push({ event: 'workflow_run', payload: { action: 'completed', workflow_run: ciRun, repository }, label: 'other workflow' });
          break;
        case 1:
          filler.push({ event: 'workflow_job', payload: { action: 'completed', workflow_job: ciJob, repository }, label: 'other workflow' });
          break;
        case 2:
          filler.push({
            event: 'workflow_run',
            payload: { action: 'completed', workflow_run: ciRun, repository: { full_name: 'someone/else' } },
            label: 'unconfigured repo',
          });
          break;
        case 3:
          filler.push({
            event: 'workflow_job',
            payload: { action: 'completed', workflow_job: ciJob, repository: { full_name: 'someone/else' } },
            label: 'unconfigured repo',
          });
          break;
        default:
          filler.push({
            event: ['issues', 'pull_request', 'check_suite', 'star'][i % 4] ?? 'issues',
            payload: { action: 'opened', number: i, repository },
            label: 'ignored event',
          });
      }
    }

    // The schedule: one slot per 10 ms; streams keep their order, filler takes the free slots.
    const slots: Array<Delivery | null> = Array.from({ length: TOTAL }, () => null);
    const place = (at: number, d: Delivery) => {
      let s = at;
      while (s < TOTAL && slots[s]) s += 1;
      if (s >= TOTAL) throw new Error('schedule overflow');
      slots[s] = d;
    };
    syncStreams.forEach((stream, k) => stream.forEach((d, j) => place(20 + k * 31 + j * 3, d)));
    releaseChanges.forEach((d, c) => place(40 + c * RELEASE_EVERY_SLOTS, d));
    let f = 0;
    for (let s = 0; s < TOTAL; s += 1) if (!slots[s]) slots[s] = filler[f++] ?? null;

    // Signed ahead, so the sender keeps the pace (release payloads depend on the moment: signed when sent).
    const signed = new Map<Delivery, SignedDelivery>();
    for (const d of slots) {
      if (!d || d.cause?.kind === 'release') continue;
      signed.set(d, await signDelivery(SECRET, d.event, d.payload));
    }
    const sent: Array<{ d: Delivery; at: number; ms: number; status: number }> = [];
    const cpuBefore = cpuSecondsOf(bot.pid);
    const t0 = Date.now() + 200;
    const inflight: Promise<void>[] = [];
    for (let s = 0; s < TOTAL; s += 1) {
      const d = slots[s];
      if (!d) continue;
      const wait = t0 + s * (1000 / RATE) - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      d.before?.();
      if (d.cause?.kind === 'release') {
        // The state GitHub would describe now: the run for the first change, the moved job after.
        const run = await api(github, token, `/repos/${repo}/actions/runs/${releaseRun.id}`);
        if (d.event === 'workflow_run') d.payload = { action: 'in_progress', workflow_run: run, repository };
        else {
          const jobs = (await api(github, token, `/repos/${repo}/actions/runs/${releaseRun.id}/jobs?per_page=100`)).jobs as Array<Record<string, unknown>>;
          // The API lists the jobs in the workflow's order (display names, not keys).
          const job = jobs[Math.floor(d.cause.change / 2)] ?? jobs[0];
          d.payload = { action: job?.status === 'completed' ? 'completed' : 'in_progress', workflow_job: job, repository };
        }
      }
      const ready = signed.get(d) ?? (await signDelivery(SECRET, d.event, d.payload));
      const at = Date.now();
      inflight.push(
        postDelivery(bot.info.url, ready).then(
          async (res) => {
            await res.arrayBuffer();
            sent.push({ d, at, ms: Date.now() - at, status: res.status });
          },
          () => {
            sent.push({ d, at, ms: Date.now() - at, status: 0 });
          },
        ),
      );
    }
    await Promise.all(inflight);
    const sendSeconds = (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 5000)); // what the last deliveries cause
    const botCpu = cpuSecondsOf(bot.pid) - cpuBefore;

    const slackCalls = slack.calls.filter((c) => c.ok && (c.method === 'chat.postMessage' || c.method === 'chat.update'));
    const releaseSent = sent.filter((x) => x.d.cause?.kind === 'release').sort((a, b) => a.at - b.at);
    const toSlack: number[] = [];
    const byLabel = new Map<string, { sent: number; caused: number }>();
    for (const x of sent) {
      const row = byLabel.get(x.d.label) ?? { sent: 0, caused: 0 };
      row.sent += 1;
      byLabel.set(x.d.label, row);
      const cause = x.d.cause;
      if (!cause) continue;
      let call;
      if (cause.kind === 'sync') {
        call = slackCalls.find((c) => c.at >= x.at && JSON.stringify(c.args).includes(cause.jobUrl));
      } else {
        const next = releaseSent.find((y) => y.at > x.at)?.at ?? Infinity;
        call = slackCalls.find(
          (c) => c.at >= x.at && c.at < next && ((c.method === 'chat.update' && c.args.ts === releaseTs) || c.args.thread_ts === releaseTs),
        );
      }
      if (!call) continue;
      row.caused += 1;
      toSlack.push(call.at - x.at);
    }
    if (process.env.BENCH_DEBUG) {
      for (const x of releaseSent) console.log('release sent', x.at - t0, x.d.event, JSON.stringify(x.d.payload).slice(0, 160));
      for (const c of slack.calls.filter((c) => c.args.ts === releaseTs || c.args.thread_ts === releaseTs || JSON.stringify(c.args).includes('v0.1.0b39')))
        console.log('release call', c.at - t0, c.method, c.ok, JSON.stringify(c.args).slice(0, 200));
    }
    const answers = sent.map((x) => x.ms);
    const statuses = Object.entries(sent.reduce<Record<string, number>>((a, x) => ({ ...a, [x.status]: (a[x.status] ?? 0) + 1 }), {}))
      .map(([s, n]) => `${n}× ${s}`)
      .join(', ');
    const p99 = (xs: number[]) =>
      percentile(
        [...xs].sort((a, b) => a - b),
        99,
      );
    const verdict = (xs: number[], target: number) => (xs.length === 0 ? 'no samples' : p99(xs) < target ? 'met' : 'MISSED');
    const load = execFileSync('uptime', { encoding: 'utf8' }).trim();
    console.log(
      `\n11. Webhook to Slack: ${sent.length} signed deliveries at ${RATE}/s for ${SECONDS} s (sent in ${sendSeconds.toFixed(1)} s) to the bot as its own process (uptime: ${load})`,
    );
    console.log(`   answers: ${statuses}; the bot's process used ${botCpu.toFixed(1)} s of CPU from the first delivery to 5 s after the last`);
    console.log(`   answer to GitHub:   ${figures(answers)}   target p99 < 100 ms: ${verdict(answers, 100)}`);
    console.log(`   webhook → Slack:    ${figures(toSlack)}   target p99 < 1 s: ${verdict(toSlack, 1000)}`);
    console.log(`   deliveries that caused a Slack call: ${toSlack.length} of ${sent.length}`);
    for (const [label, row] of byLabel) console.log(`     ${label.padEnd(30)} sent ${String(row.sent).padStart(4)}, caused a Slack call ${row.caused}`);
  } finally {
    await bot.stop();
    await Promise.all([slack.stop(), github.stop(), ghe.stop()]);
  }
}
