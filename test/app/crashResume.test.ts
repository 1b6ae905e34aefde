import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { followerCrash, rotationCrash, secretReplaceCrash, type SecretKillStep } from '../helpers/crash.js';

/**
 * The bot as a real process, SIGKILLed at each step of the work it does in the
 * background, and started again on the same database: the new process takes the
 * work over by itself (no lease is cut short here: the job kinds' own leases run
 * out), asks GitHub first, and does each side effect exactly once.
 * Restart-to-resume times are printed by `npm run bench` (part 5), not asserted.
 */

describe('a replica killed while applying an approved /secret replace', () => {
  for (const step of ['before-put', 'during-put', 'put-answer-lost', 'after-put'] as SecretKillStep[]) {
    test(`killed ${step}: the restarted bot completes the change exactly once and says so`, { timeout: 150_000 }, async (t) => {
      const r = await secretReplaceCrash(step);
      t.diagnostic(`restart → resumed and done: ${r.resumed.resumeMs} ms (boot ${r.resumed.bootMs} ms)`);
      assert.equal(r.status, 'done');
      assert.equal(r.puts, 1, 'GitHub got exactly one write');
      assert.equal(r.value, r.token, 'GitHub holds the new value');
      assert.ok(r.announced, 'the request message says it was replaced');
      if (step === 'put-answer-lost' || step === 'after-put') assert.match(r.outcome ?? '', /"recovered":true/, 'recognised as written, from GitHub');
      assert.equal(r.out.includes(r.token), false, 'the token is in no log line');
    });
  }
});

describe(
  'a replica killed at each step of /rotate (deploy key)',
  { skip: existsSync('/usr/bin/ssh-keygen') || existsSync('/bin/ssh-keygen') ? false : 'ssh-keygen is not installed' },
  () => {
    test(
      'killed while adding the key, writing the secret, asking for the verification and deleting the old key: each done once, rotation complete',
      { timeout: 300_000 },
      async (t) => {
        const r = await rotationCrash();
        for (const x of r.resumed) t.diagnostic(`${x.step}: restart → step done ${x.resumeMs} ms (boot ${x.bootMs} ms)`);
        assert.equal(r.resumed.length, 4, 'four kills, four takeovers');
        assert.equal(r.keyAdds, 1, 'the new deploy key was added once');
        assert.equal(r.puts, 1, 'the secret was written once');
        assert.equal(r.reruns, 1, 'the verification re-run was asked for once');
        const oldDeletes = r.deletes.filter((d) => d.path.endsWith(`/keys/${r.oldKeyId}`));
        assert.equal(oldDeletes.filter((d) => d.status === 204).length, 1, 'the old key was deleted once');
        assert.ok(
          oldDeletes.slice(1).every((d) => d.status === 404),
          'a resumed delete finds it gone',
        );
        assert.equal(r.deletes.length, oldDeletes.length, 'no other key was deleted');
        assert.equal(r.keysLeft.length, 1);
        assert.notEqual(r.keysLeft[0], r.oldKeyId, 'only the new key is left');
        assert.equal(r.status, 'done');
        assert.match(r.checklist, /Rotation complete/);
        assert.equal(r.out.includes('OPENSSH PRIVATE KEY'), false, 'the private key is in no log line');
      },
    );
  },
);

describe('a replica killed while following a release', () => {
  test('the restarted bot follows the run on: one dispatch, one release message, which ends Released', { timeout: 200_000 }, async (t) => {
    const r = await followerCrash();
    t.diagnostic(`restart → the run polled again: ${r.resumed.resumeMs} ms (boot ${r.resumed.bootMs} ms)`);
    assert.equal(r.dispatches, 1);
    assert.equal(r.releaseMessages, 1, `the release message is posted once: ${JSON.stringify(r.mainTexts)}`);
    assert.match(r.finalText, /Released/);
    assert.equal(new Set(r.threadReplies).size, r.threadReplies.length, `no thread reply twice: ${JSON.stringify(r.threadReplies)}`);
  });
});
