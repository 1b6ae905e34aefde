import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionRouter } from '../../src/actions/index.js';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { ActionRouter } from '../../src/actions/router.js';
import type { AppDeps } from '../../src/deps.js';

test('every action id the bot puts on a button has its listener; nothing else is live', () => {
  // Registration only records listeners: it reads nothing from the dependencies.
  const router = actionRouter({} as AppDeps);
  assert.deepEqual([...router.liveIds].sort(), [...Object.values(ACTION_IDS)].sort());
});

test('a second listener for the same action id is refused at start-up', () => {
  const router = new ActionRouter();
  router.action('x', async () => undefined);
  assert.throws(() => router.action('x', async () => undefined), /two listeners for the action x/);
});
