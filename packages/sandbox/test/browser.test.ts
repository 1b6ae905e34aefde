import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../src/world.js';
import { startSandboxUi, type SandboxUi } from '../src/ui/server.js';

/**
 * The sandbox page in a real browser (Debian's Chromium driven by Playwright core):
 * a release and a rotation done by clicking, as a person would, through the real bot.
 * Chromium is required, not optional: CI installs it, and without it this test fails.
 *
 * The screenshot goes to test-artifacts/sandbox.png; with UPDATE_DOCS_SCREENSHOT=1 it
 * also replaces docs/sandbox.png (the README's), which is otherwise left alone so a
 * test run does not change a committed file.
 */

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../../test-artifacts/', import.meta.url);
const DOCS_SHOT = new URL('../../../docs/sandbox.png', import.meta.url);

/** The newest channel message (not a thread reply) with this text. */
const channelMessage = (page: Page, text: string | RegExp) => page.locator('#message-list [data-testid="message"]').filter({ hasText: text }).last();

async function advanceUntilDone(page: Page, s: Sandbox, run: Locator): Promise<void> {
  const id = Number(await run.getAttribute('data-run-id'));
  for (let i = 0; i < 40; i++) {
    // The controls are the truth; the page shows an Advance button for every run that has not ended.
    if (s.controls.runs(50).find((r) => r.id === id)?.status === 'completed') break;
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/github/advance')), run.getByTestId('run-advance').click()]);
  }
  await page.locator(`[data-testid="run"][data-run-id="${id}"][data-status="completed"]`).waitFor();
}

test('the sandbox page in Chromium: a release and a rotation, clicked through as alice and bob', { timeout: 240_000 }, async (t) => {
  assert.ok(
    existsSync(CHROMIUM),
    `Debian's Chromium is not installed at ${CHROMIUM}. Install it (apt-get install chromium; CI's .ci/run does): this test needs it and does not skip.`,
  );
  const s = await startSandbox({ logLevel: 'warn', logSink: () => {} });
  let ui: SandboxUi | undefined;
  let browser: Browser | undefined;
  try {
    ui = await startSandboxUi(s);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(20_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.goto(ui.url);
    await page.getByTestId('person-alice').waitFor();
    assert.equal(await page.getByTestId('person-alice').getAttribute('aria-pressed'), 'true', 'alice by default');

    await t.test('alice releases v0.1.0b39 and advances the run to its end', async () => {
      await page.getByTestId('composer').fill('/release v0.1.0b39');
      await page.getByTestId('composer').press('Enter');
      const confirm = page.locator('[data-testid="message"][data-ephemeral="true"]').filter({ has: page.getByTestId('btn-release_confirm') });
      await confirm.waitFor();
      assert.equal(await confirm.getByTestId('only-visible').textContent(), 'Only visible to you');
      assert.match((await confirm.textContent()) ?? '', /Release v0\.1\.0b39 of pywats\?/, 'the confirmation names the tag');
      await confirm.getByTestId('btn-release_confirm').click();

      const run = page.locator('[data-testid="run"][data-workflow="release.yml"][data-event="workflow_dispatch"]');
      await run.waitFor();
      await advanceUntilDone(page, s, run);
      assert.equal(await run.getAttribute('data-conclusion'), 'success');

      const final = channelMessage(page, 'Released');
      await final.waitFor({ timeout: 45_000 });
      const text = (await final.textContent()) ?? '';
      assert.match(text, /Release v0\.1\.0b39 of pywats, started by @alice/, 'the mention shows a name');
      assert.equal(await final.getAttribute('data-ephemeral'), null, 'the final message is in the channel, for everyone');
      assert.equal((await final.locator('[data-emoji="white_check_mark"]').count()) > 0, true, ':white_check_mark: is drawn as an emoji');
      assert.doesNotMatch(text, /:white_check_mark:|<!date|<@U/, 'no raw mrkdwn shows');
    });

    await t.test('alice starts a rotation, enters a created token in the modal; bob approves; the checklist shows it replaced', async () => {
      await page.getByTestId('composer').fill('/rotate GHE_TOKEN');
      await page.getByTestId('composer').press('Enter');
      const checklist = channelMessage(page, 'Rotation of GHE_TOKEN for pywats');
      await checklist.getByTestId('replies-link').click();
      const thread = page.getByTestId('thread-pane');
      await thread.getByTestId('btn-rotation_enter').click();

      const modal = page.getByTestId('modal');
      await modal.waitFor();
      assert.equal(await modal.getByTestId('modal-title').textContent(), 'Replace a secret');
      await page.getByTestId('create-token-GHE_TOKEN').click();
      const minted = page.getByTestId('minted-token');
      await page.locator('#minted:not([hidden])').waitFor();
      const token = await minted.inputValue();
      assert.match((await page.locator('#minted-note').textContent()) ?? '', /fake/i, 'the panel says the token is fake');
      assert.equal(
        await page.locator('[data-testid="secret-row"][data-name="GHE_TOKEN"] [data-testid="secret-holds"]').textContent(),
        'no',
        'created, not stored yet',
      );

      await modal.getByTestId('modal-input-secret_value_block').fill(token);
      await modal.getByTestId('modal-submit').click();
      await page.locator('[data-testid="modal-title"]', { hasText: 'Request sent' }).waitFor();
      await page.getByTestId('modal-close').click();
      await modal.waitFor({ state: 'detached' });

      await page.getByTestId('person-bob').click();
      await page.locator('body[data-me="bob"]').waitFor({ state: 'attached' });
      const approve = thread.getByTestId('btn-secret_change_approve');
      await approve.waitFor();
      assert.equal(await thread.getByTestId('btn-rotation_enter').count(), 0, 'alice’s private step is not shown to bob');
      await approve.click();
      const dialog = page.getByTestId('confirm-dialog');
      await dialog.waitFor();
      assert.match((await dialog.textContent()) ?? '', /Replace GHE_TOKEN\?/);
      await dialog.getByTestId('confirm-yes').click();

      await channelMessage(page, /GHE_TOKEN replaced; GitHub shows it updated/).waitFor({ timeout: 30_000 });
      const holds = page.locator('[data-testid="secret-row"][data-name="GHE_TOKEN"] [data-testid="secret-holds"]');
      await holds.filter({ hasText: /^yes$/ }).waitFor();
      assert.equal(await holds.textContent(), 'yes', 'the secret holds the token created in the panel');
      assert.equal(
        ((await page.locator('[data-testid="secrets"]').textContent()) ?? '').includes(token.slice(4)),
        false,
        'the secrets table never shows a value',
      );

      // The verification re-runs the failed sync; with the new token it passes.
      const verify = page.locator('[data-testid="run"][data-workflow="publish.yml"]:not([data-status="completed"])').first();
      await verify.waitFor({ timeout: 30_000 });
      await advanceUntilDone(page, s, verify);
      await channelMessage(page, /Verified: re-run the last sync job passed/).waitFor({ timeout: 30_000 });
      assert.ok(s.ghe.state.repo(s.seed.ghe.repo).tags.has('v0.1.0b39'), 'the mirror caught up');
    });

    await t.test('a screenshot of the page is kept', async () => {
      // As alice, who sees her private steps in the thread too; every column at its newest.
      await page.getByTestId('person-alice').click();
      await page.locator('body[data-me="alice"]').waitFor({ state: 'attached' });
      await page.getByTestId('thread-pane').getByTestId('only-visible').first().waitFor();
      await page.waitForTimeout(800);
      // A string: the test is type-checked without the DOM's types.
      await page.evaluate(`for (const id of ['messages', 'thread-body']) { const el = document.getElementById(id); el.scrollTop = el.scrollHeight; }
        document.querySelector('.gh').scrollTop = 0;`);
      mkdirSync(ARTIFACTS, { recursive: true });
      const shot = await page.screenshot({ path: new URL('sandbox.png', ARTIFACTS).pathname });
      assert.ok(shot.length > 10_000, 'a real picture');
      if (process.env.UPDATE_DOCS_SCREENSHOT === '1') {
        mkdirSync(new URL('.', DOCS_SHOT), { recursive: true });
        await page.screenshot({ path: DOCS_SHOT.pathname });
        t.diagnostic(`updated ${DOCS_SHOT.pathname}`);
      }
    });

    await t.test('text is rendered as Slack would, and never as HTML', async () => {
      const ws = s.slack.workspace;
      const text = [
        '*Bold* _italic_ ~struck~ `code` in secret_value_block',
        '<https://example.com/x?a=1&amp;b=2|a link> <@U0BOB00002> <#C0RELEASES1> <!date^1700000000^{date_short}|2023-11-14 22:13 UTC>',
        ':white_check_mark: :not_an_emoji: &lt;img src=x onerror="window.pwned=1"&gt; <javascript:window.pwned=1|click me>',
        '```line 1\n&lt;b&gt;not bold&lt;/b&gt; *not bold either*```',
      ].join('\n');
      ws.addMessage(s.channel, { ts: ws.nextTs(), user: ws.botUserId, text });
      ws.addMessage(s.channel, {
        ts: ws.nextTs(),
        user: ws.botUserId,
        text: 'fallback',
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: ':rocket: A <b>header</b>', emoji: true } },
          {
            type: 'section',
            fields: [
              { type: 'mrkdwn', text: '*Left*\none' },
              { type: 'mrkdwn', text: '*Right*\ntwo' },
            ],
          },
          { type: 'divider' },
          {
            type: 'actions',
            elements: [
              { type: 'button', text: { type: 'plain_text', text: 'Open' }, action_id: 'sandbox_test_url', url: 'https://example.com/run' },
              {
                type: 'button',
                text: { type: 'plain_text', text: 'Risky' },
                action_id: 'sandbox_test_confirm',
                style: 'danger',
                confirm: {
                  title: { type: 'plain_text', text: 'Sure?' },
                  text: { type: 'mrkdwn', text: 'Really *sure*?' },
                  confirm: { type: 'plain_text', text: 'Do it' },
                  deny: { type: 'plain_text', text: 'No' },
                },
              },
            ],
          },
          { type: 'context', elements: [{ type: 'mrkdwn', text: 'small print' }] },
        ],
      });
      const m = channelMessage(page, 'Bold');
      await m.waitFor();
      assert.equal(await m.locator('b').first().textContent(), 'Bold');
      assert.equal(await m.locator('i').first().textContent(), 'italic');
      assert.equal(await m.locator('s').first().textContent(), 'struck');
      assert.equal(await m.locator('code').first().textContent(), 'code');
      assert.equal(await m.locator('i', { hasText: 'value' }).count(), 0, 'underscores inside a word are not italics');
      const a = m.locator('a', { hasText: 'a link' });
      assert.equal(await a.getAttribute('href'), 'https://example.com/x?a=1&b=2');
      assert.equal(await a.getAttribute('target'), '_blank');
      assert.match((await a.getAttribute('rel')) ?? '', /noopener/);
      const shown = (await m.textContent()) ?? '';
      assert.match(shown, /@bob #releases 2023-11-14 22:13 UTC/, 'mentions by name, the channel by name, a date by its fallback');
      assert.match(shown, /:not_an_emoji:/, 'an unknown shortcode stays as typed');
      assert.equal(await m.locator('[data-emoji="white_check_mark"]').count(), 1);
      assert.match(shown, /<img src=x onerror="window.pwned=1">/, 'HTML is shown as text');
      assert.equal(await m.locator('img').count(), 0);
      assert.equal(await m.locator('a[href^="javascript"]').count(), 0, 'only http(s) and mailto links');
      assert.match(shown, /click me/);
      assert.equal(await m.locator('pre').textContent(), 'line 1\n<b>not bold</b> *not bold either*', 'code blocks are literal');
      assert.equal(await page.evaluate('window.pwned'), undefined, 'nothing in a message ran');

      const blocks = channelMessage(page, 'small print');
      assert.match((await blocks.locator('.bk-header').textContent()) ?? '', /^\S* ?A <b>header<\/b>$/, 'plain text stays plain');
      assert.equal(await blocks.locator('.bk-header [data-emoji="rocket"]').count(), 1);
      assert.equal(await blocks.locator('.bk-field').count(), 2);
      assert.equal(await blocks.locator('hr').count(), 1);
      const url = blocks.getByTestId('btn-sandbox_test_url');
      assert.equal(await url.getAttribute('href'), 'https://example.com/run');
      assert.equal(await url.getAttribute('target'), '_blank');
      let clicks = 0;
      page.on('request', (r) => {
        if (r.url().endsWith('/api/click')) clicks += 1;
      });
      await blocks.getByTestId('btn-sandbox_test_confirm').click();
      const dialog = page.getByTestId('confirm-dialog');
      assert.match((await dialog.textContent()) ?? '', /Sure\?Really sure\?NoDo it/);
      await dialog.getByTestId('confirm-no').click();
      await dialog.waitFor({ state: 'detached' });
      await page.waitForTimeout(300);
      assert.equal(clicks, 0, 'a denied confirmation sends nothing');
    });

    assert.deepEqual(pageErrors, [], 'no errors in the page');
  } finally {
    await browser?.close();
    await ui?.stop();
    await s.stop();
  }
});
