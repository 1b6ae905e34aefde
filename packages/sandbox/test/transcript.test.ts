import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blocksToLines, buttonsOf, messageLines, modalLines, plainMrkdwn } from '../src/transcript.js';
import { renderReminder } from '../../../src/ui/reminders.js';

test('mrkdwn reads as plain text: links, mentions, dates, bold and code fences', () => {
  const names = { U0ALICE001: 'alice' };
  assert.equal(
    plainMrkdwn('*Released* by <@U0ALICE001> <!date^1795477445^{date_short_pretty}|2026-11-23 23:44 UTC>', names),
    'Released by @alice 2026-11-23 23:44 UTC',
  );
  assert.equal(
    plainMrkdwn('see <https://github.com/o/r/actions/runs/1|the run> and <https://x.test>'),
    'see the run (https://github.com/o/r/actions/runs/1) and https://x.test',
  );
  assert.equal(plainMrkdwn('```\nremote: Invalid username or password.\n```'), 'remote: Invalid username or password.\n');
  assert.equal(plainMrkdwn('a &lt;b&gt; &amp; c'), 'a <b> & c');
});

test('a real reminder message: header, text, buttons and context, marked when private; its button is found for clicking', () => {
  const r = {
    repo: 'olreppe/pyWATS',
    secret: 'GHE_TOKEN',
    basis: 'age' as const,
    deadline: new Date('2026-12-19T00:00:00Z'),
    threshold: 30 as const,
    daysLeft: 25,
    key: 'k',
  };
  const msg = renderReminder(r, { repoName: 'pywats', maxAgeDays: 365, offer: { kind: 'open', cancelled: null } });
  const lines = blocksToLines(msg.blocks);
  assert.equal(lines[0], '== Rotate soon: GHE_TOKEN (pywats) ==');
  assert.ok(lines.some((l) => l.includes('reaches its age limit in 25 days')));
  assert.ok(lines.includes('  [ Start rotation ]'));
  assert.ok(lines.some((l) => l.startsWith('  ~ Start rotation walks you')));
  assert.deepEqual(buttonsOf(msg.blocks), [{ actionId: 'rotation_start', value: 'olreppe/pyWATS:GHE_TOKEN', text: 'Start rotation' }]);
  const shown = messageLines(
    { ts: '1.1', user: 'UBOT', text: msg.text, blocks: msg.blocks, ephemeralTo: 'U0ALICE001' },
    { UBOT: 'release-chatops', U0ALICE001: 'alice' },
  );
  assert.equal(shown[0], 'release-chatops (only visible to alice):');
});

test('section fields become "Label: value" lines; a modal is a box with its input and submit', () => {
  const lines = blocksToLines([{ type: 'section', fields: [{ type: 'mrkdwn', text: '*Sync job*\nfailed' }] }, { type: 'divider' }]);
  assert.deepEqual(lines, ['  Sync job: failed', '  ---']);
  const box = modalLines({
    title: { type: 'plain_text', text: 'Replace GHE_TOKEN' },
    submit: { type: 'plain_text', text: 'Check and request' },
    blocks: [{ type: 'input', label: { type: 'plain_text', text: 'New token' } }],
  });
  assert.match(box.join('\n'), /\| Replace GHE_TOKEN +\|/);
  assert.match(box.join('\n'), /New token: \[_+\]/);
  assert.match(box.join('\n'), /\[ Check and request \]/);
  assert.ok(box[0]?.startsWith('+') && box.at(-1)?.startsWith('+'));
});
