import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '@octokit/webhooks-methods';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { FakeGitHub } from '../src/index.js';
import { seedPywats, type PywatsSeed } from '../src/scenario.js';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (a: Ajv) => Ajv;
const schemaFile = createRequire(import.meta.url).resolve('@octokit/webhooks-schemas/schema.json');
const webhookSchemas = JSON.parse(readFileSync(schemaFile, 'utf8')) as { definitions: Record<string, unknown> };

const SECRET = 'whsec-fake-github-test';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver standing in for the bot: keeps every request, answers `status`. */
class Receiver {
  readonly got: Received[] = [];
  status = 200;
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(this.status, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/github/webhooks`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()) ?? r());
  }

  events(): Array<{ event: string; action: string | undefined; body: Record<string, unknown>; headers: IncomingHttpHeaders; raw: string }> {
    return this.got.map((g) => {
      const body = JSON.parse(g.body) as Record<string, unknown>;
      return {
        event: String(g.headers['x-github-event']),
        action: typeof body.action === 'string' ? body.action : undefined,
        body,
        headers: g.headers,
        raw: g.body,
      };
    });
  }
}

/** The schema of the event (and action) in @octokit/webhooks-schemas: `workflow_run$completed`, `push$event`. */
function schemaName(event: string, action: string | undefined): string {
  return action ? `${event}$${action}` : `${event}$event`;
}

describe('FakeGitHub webhooks', () => {
  let github: FakeGitHub;
  let ghe: FakeGitHub;
  let seed: PywatsSeed;
  let rx: Receiver;
  let hookId: number;
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  ajv.addSchema(webhookSchemas, 'webhooks');

  before(async () => {
    github = new FakeGitHub({ flavor: 'dotcom' });
    ghe = new FakeGitHub({ flavor: 'ghes', webHost: 'wats.ghe.com' });
    await Promise.all([github.start(), ghe.start()]);
    seed = seedPywats(github, ghe);
    rx = new Receiver();
    await rx.start();
    hookId = github.addHook(seed.github.repo, { url: rx.url, secret: SECRET });
    await github.webhooks.settled();
  });
  after(async () => {
    await Promise.all([github.stop(), ghe.stop(), rx.stop()]);
  });
  beforeEach(() => github.webhooks.setMode({ mode: 'on' }));

  test('a new hook is pinged, and the seeded history before it is not delivered', () => {
    const got = rx.events();
    assert.deepEqual(
      got.map((e) => e.event),
      ['ping'],
    );
    assert.equal(got[0]?.body.hook_id, hookId);
  });

  test('a run, its jobs and a tag push arrive as GitHub sends them, each valid against its @octokit/webhooks-schemas schema', async () => {
    rx.got.length = 0;
    const repo = seed.github.repo;
    const run = github.startRun(repo, '.github/workflows/publish.yml', { event: 'push', headBranch: 'main', actor: 'olreppe' });
    github.setJob(run, 'build-and-publish', { status: 'in_progress' });
    github.completeRun(run, {
      'sync-to-ghe': { conclusion: 'failure', failedStep: 'Push to GitHub Enterprise', log: 'fatal: Authentication failed' },
    });
    const waiting = github.startRun(repo, '.github/workflows/publish.yml', { event: 'push', headBranch: 'main', actor: 'olreppe' });
    github.setJob(waiting, 'build-and-publish', { status: 'waiting' });
    const sha = github.pushCommit(repo, { message: 'chore(release): 0.1.0b40' });
    github.createTag(repo, 'v0.1.0b40', { sha, annotated: true });
    await github.webhooks.settled();

    const got = rx.events();
    const seen = new Set(got.map((e) => schemaName(e.event, e.action)));
    for (const want of [
      'workflow_run$requested',
      'workflow_run$in_progress',
      'workflow_run$completed',
      'workflow_job$queued',
      'workflow_job$waiting',
      'workflow_job$in_progress',
      'workflow_job$completed',
      'push$event',
      'create$event',
    ])
      assert.ok(seen.has(want), `${want} was delivered (got ${[...seen].join(', ')})`);
    for (const e of got) {
      const validate = ajv.getSchema(`webhooks#/definitions/${schemaName(e.event, e.action)}`);
      assert.ok(validate, `a schema for ${schemaName(e.event, e.action)}`);
      assert.ok(validate(e.body), `${schemaName(e.event, e.action)}: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
    }

    // The story the bot reads: the first run's sync job failed, then the run completed with failure.
    const ofRun = got.filter((e) => e.event === 'workflow_run' && (e.body.workflow_run as { id: number }).id === run).map((e) => e.action);
    assert.deepEqual(ofRun, ['requested', 'in_progress', 'completed']);
    const completed = got.find((e) => e.event === 'workflow_run' && e.action === 'completed');
    assert.equal((completed?.body.workflow_run as { conclusion: string }).conclusion, 'failure');
    const syncDone = got.find(
      (e) => e.event === 'workflow_job' && e.action === 'completed' && (e.body.workflow_job as { name: string }).name === 'Sync to GitHub Enterprise',
    );
    assert.ok(syncDone, 'the sync job completed was delivered');
    assert.equal((syncDone.body.workflow_job as { conclusion: string }).conclusion, 'failure');
    assert.ok(got.indexOf(syncDone) < got.indexOf(completed as (typeof got)[number]), 'the job is told of before the run it ended');
    const push = got.find((e) => e.event === 'push');
    assert.equal(push?.body.ref, 'refs/tags/v0.1.0b40');
    assert.equal(got.find((e) => e.event === 'create')?.body.ref, 'v0.1.0b40');
  });

  test('every delivery is signed with the secret, carries GitHub headers, and is recorded with its status and duration', async () => {
    rx.got.length = 0;
    github.createTag(seed.github.repo, 'v0.1.0b41');
    await github.webhooks.settled();
    const got = rx.events();
    assert.equal(got.length, 2);
    for (const e of got) {
      const sig = String(e.headers['x-hub-signature-256']);
      assert.equal(await verify(SECRET, e.raw, sig), true);
      assert.equal(await verify('another-secret', e.raw, sig), false);
      assert.match(String(e.headers['x-github-delivery']), UUID);
      assert.equal(e.headers['x-github-hook-id'], String(hookId));
      assert.match(String(e.headers['user-agent']), /^GitHub-Hookshot\/[0-9a-f]{7}$/);
      assert.equal(e.headers['content-type'], 'application/json');
      const d = github.webhooks.deliveries().find((x) => x.guid === e.headers['x-github-delivery']);
      assert.ok(d, 'recorded');
      assert.equal(d.event, e.event);
      assert.equal(d.statusCode, 200);
      assert.equal(typeof d.durationMs, 'number');
      assert.equal(d.redelivery, false);
    }
    rx.status = 500;
    github.createTag(seed.github.repo, 'v0.1.0b42');
    await github.webhooks.settled();
    rx.status = 200;
    assert.deepEqual(
      github.webhooks
        .deliveries()
        .slice(-2)
        .map((d) => d.statusCode),
      [500, 500],
    );
  });

  test('a redelivery sends the same body under the same delivery id, as a new attempt', async () => {
    rx.got.length = 0;
    github.createTag(seed.github.repo, 'v0.1.0b43');
    await github.webhooks.settled();
    const first = github.webhooks.deliveries().find((d) => d.event === 'create' && d.body.includes('v0.1.0b43'));
    assert.ok(first);
    const again = await github.webhooks.redeliver(first.id);
    assert.equal(again.guid, first.guid);
    assert.notEqual(again.id, first.id);
    assert.equal(again.redelivery, true);
    assert.equal(again.statusCode, 200);
    const both = rx.got.filter((g) => g.headers['x-github-delivery'] === first.guid);
    assert.equal(both.length, 2);
    assert.equal(both[0]?.body, both[1]?.body);
    assert.equal(both[1]?.headers['x-hub-signature-256'], both[0]?.headers['x-hub-signature-256']);
  });

  test('off sends nothing and records nothing; on again sends what changes next', async () => {
    rx.got.length = 0;
    const before = github.webhooks.deliveries().length;
    github.webhooks.setMode({ mode: 'off' });
    github.createTag(seed.github.repo, 'v0.1.0b44');
    github.simulateRun(seed.github.repo, '.github/workflows/publish.yml', { headBranch: 'v0.1.0b44' });
    await github.webhooks.settled();
    assert.equal(rx.got.length, 0);
    assert.equal(github.webhooks.deliveries().length, before);
    github.webhooks.setMode({ mode: 'on' });
    github.createTag(seed.github.repo, 'v0.1.0b45');
    await github.webhooks.settled();
    assert.deepEqual(
      rx.events().map((e) => e.body.ref),
      ['refs/tags/v0.1.0b45', 'v0.1.0b45'],
    );
  });

  test('drop loses about the fraction asked, the same ones for the same seed, and keeps them as failed', async () => {
    const lostPattern = async (seedNo: number, first: number): Promise<boolean[]> => {
      rx.got.length = 0;
      github.webhooks.setMode({ mode: 'drop', fraction: 0.3, seed: seedNo });
      const last = github.webhooks.deliveries().at(-1)?.id ?? 0;
      for (let i = 0; i < 100; i++) github.createTag(seed.github.repo, `v9.${first}.${i}`);
      await github.webhooks.settled();
      const sent = github.webhooks.deliveries().filter((d) => d.id > last);
      assert.equal(sent.length, 200);
      const received = new Set(rx.got.map((g) => String(g.headers['x-github-delivery'])));
      for (const d of sent) assert.equal(received.has(d.guid), !d.dropped, `delivery ${d.id}: received iff not dropped`);
      for (const d of sent.filter((x) => x.dropped)) assert.equal(d.statusCode, 0);
      return sent.map((d) => d.dropped);
    };
    const a = await lostPattern(42, 1);
    const lost = a.filter(Boolean).length;
    assert.ok(lost >= 40 && lost <= 80, `about 30% of 200 lost, got ${lost}`);
    assert.deepEqual(await lostPattern(42, 2), a, 'the same seed loses the same ones');
    assert.notDeepEqual(await lostPattern(7, 3), a, 'another seed loses others');
  });

  test('a lost delivery can be redelivered', async () => {
    rx.got.length = 0;
    github.webhooks.setMode({ mode: 'drop', fraction: 1 });
    github.createTag(seed.github.repo, 'v0.1.0b46');
    await github.webhooks.settled();
    assert.equal(rx.got.length, 0);
    const lost = github.webhooks.deliveries().at(-1);
    assert.ok(lost?.dropped);
    await github.webhooks.redeliver(lost.id);
    assert.equal(rx.got.length, 1);
    assert.equal(rx.got[0]?.headers['x-github-delivery'], lost.guid);
  });

  test('delay holds deliveries back until it has passed', async () => {
    rx.got.length = 0;
    github.webhooks.setMode({ mode: 'delay', ms: 400 });
    github.createTag(seed.github.repo, 'v0.1.0b47');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(rx.got.length, 0, 'nothing yet');
    await github.webhooks.settled();
    assert.equal(rx.got.length, 2);
  });
});
