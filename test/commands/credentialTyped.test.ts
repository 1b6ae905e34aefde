import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { withHarness } from '../helpers/harness.js';
import { everythingTheBotKept } from '../helpers/canary.js';

/** Credentials people paste into a command by mistake, one of each shape the bot knows. */
const TYPED = {
  classic: 'ghp_TYPEDintoACOMMAND0123456789abcdefghij',
  fineGrained: `github_pat_11TYPED0${'a1B2'.repeat(14)}`,
  legacyHex: '0123456789abcdef0123456789abcdef01234567',
  slack: 'xoxb-1234567890-TYPEDslackTOKENvalue',
  pem: '-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
} as const;

/** Every command, with the credential where a person would type it. */
const CASES: Array<{ command: string; text: (t: string) => string; usage: RegExp }> = [
  { command: '/sync-status', text: (t) => t, usage: /Usage: `\/sync-status/ },
  { command: '/sync-status', text: (t) => `pywats ${t}`, usage: /Usage: `\/sync-status/ },
  { command: '/release', text: (t) => t, usage: /Usage: `\/release/ },
  { command: '/release', text: (t) => `pywats ${t}`, usage: /Usage: `\/release/ },
  { command: '/rotate', text: (t) => `GHE_TOKEN ${t}`, usage: /`\/rotate <SECRET>`/ },
  { command: '/secret', text: (t) => `replace GHE_TOKEN ${t}`, usage: /`\/secret replace <SECRET>`/ },
  { command: '/secret', text: (t) => t, usage: /`\/secret replace <SECRET>`/ },
];

describe('a credential typed into a command', () => {
  test('is never echoed, by any command; the answer says to treat it as exposed; nothing runs and it is kept nowhere', () =>
    withHarness({}, async (h) => {
      for (const c of CASES) {
        for (const [shape, token] of Object.entries(TYPED)) {
          const what = `${c.command} with a ${shape} credential`;
          const { http } = await h.command(c.command, c.text(token));
          assert.equal(http.status, 200, what);
          const answer = (http.json ?? {}) as { response_type?: string; text?: string };
          assert.equal(answer.response_type, 'ephemeral', `${what}: a private answer`);
          assert.match(answer.text ?? '', /looks like a credential/, what);
          assert.match(answer.text ?? '', /treat it as exposed/, what);
          assert.match(answer.text ?? '', c.usage, `${what}: how to use the command instead`);
          const secretPart = token.replace(/^-----BEGIN OPENSSH PRIVATE KEY----- /, '');
          assert.equal(http.body.includes(secretPart.slice(-24)), false, `${what}: not echoed, not even in part`);
        }
      }
      const audit = await h.store.audit.list({ limit: 1000 });
      const refused = audit.filter((e) => e.outcome === 'refused:credential_typed');
      assert.equal(refused.length, CASES.length * Object.keys(TYPED).length, 'each one audited as such');
      assert.equal(
        audit.some((e) => e.outcome === 'usage' || e.outcome === 'confirmation'),
        false,
        'none treated as ordinary usage',
      );
      assert.equal(h.slack.callsTo('views.open').length + h.slack.callsTo('chat.postMessage').length, 0, 'nothing started');
      assert.equal(h.github.requests.filter((r) => r.method !== 'GET').length, 0, 'nothing asked of GitHub');
      const kept = await everythingTheBotKept(h);
      for (const [shape, token] of Object.entries(TYPED)) {
        if (shape === 'pem') continue;
        assert.equal(kept.includes(token.slice(-24)), false, `the ${shape} credential is in no log, call or table`);
      }
    }));

  test('ordinary mistakes still name what was typed (nothing credential-shaped in them)', () =>
    withHarness({}, async (h) => {
      const release = await h.command('/release', 'nope v1.0.0');
      assert.match(release.http.body, /I don't know a repository called `nope`/);
      const sync = await h.command('/sync-status', 'nope');
      assert.match(sync.http.body, /I don't know a repository called `nope`/);
      const tag = await h.command('/release', 'not-a-tag');
      assert.match(tag.http.body, /not-a-tag/);
      assert.doesNotMatch(release.http.body + sync.http.body + tag.http.body, /looks like a credential/);
    }));
});
