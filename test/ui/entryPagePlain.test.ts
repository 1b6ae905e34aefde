import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainFromMrkdwn } from '../../src/ui/entryPage.js';

test('the masked page shows Slack text plainly: formatting markers go, names keep their underscores', () => {
  assert.equal(plainFromMrkdwn('*PAT_TOKEN* was _not_ changed: `GHE_TOKEN` stays'), 'PAT_TOKEN was not changed: GHE_TOKEN stays');
  assert.equal(
    plainFromMrkdwn(':white_check_mark: Sent for approval in <#C0123|releases> by <@U012>'),
    'Sent for approval in the rotation’s channel by someone',
  );
  assert.equal(plainFromMrkdwn('GHE_DEPLOY_KEY_2 and snake_case_name'), 'GHE_DEPLOY_KEY_2 and snake_case_name');
});
