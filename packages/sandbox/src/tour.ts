import { SANDBOX_USERS as U } from './bot.js';
import type { ThreadedMessage } from './driver.js';
import type { StoredMessage } from '@chatops/fake-slack/workspace.js';
import { buttonsOf, messageLines, modalLines } from './transcript.js';
import type { Sandbox } from './world.js';
import { SANDBOX_PEOPLE } from './world.js';

/**
 * `npm run sandbox -- --tour`: every flow of the bot, acted out through the same
 * driver the page uses (signed requests to the real bot) and the GitHub controls,
 * with a transcript of what each person saw. Each step checks what it must; a
 * failed check fails the tour (and `npm test`), a broken step fails in seconds.
 */

export interface TourStep {
  name: string;
  ok: boolean;
  detail?: string;
}
export interface TourResult {
  ok: boolean;
  steps: TourStep[];
}

class CheckFailed extends Error {}

const names: Record<string, string> = Object.fromEntries([...SANDBOX_PEOPLE.map((p) => [p.id, p.name]), ['U0CHATOPSBOT', 'release-chatops']]);
const textOf = (m: { text?: string; blocks?: unknown[] }) => `${m.text ?? ''}\n${JSON.stringify(m.blocks ?? [])}`;
const flat = (ms: ThreadedMessage[]): StoredMessage[] => ms.flatMap((m) => [m, ...m.replies]);

export async function runTour(s: Sandbox, write: (line: string) => void, o: { stepTimeoutMs?: number } = {}): Promise<TourResult> {
  const timeout = o.stepTimeoutMs ?? 15_000;
  const steps: TourStep[] = [];
  const shown = new Set<string>();
  const botName = s.slack.workspace.botUserId;
  names[botName] = 'release-chatops';

  const check = (ok: boolean, what: string): void => {
    write(`   ${ok ? '✓' : '✗'} ${what}`);
    if (!ok) throw new CheckFailed(what);
  };
  const until = async <T>(what: string, f: () => T | undefined | null | false): Promise<T> => {
    const deadline = Date.now() + timeout;
    for (;;) {
      const v = f();
      if (v) return v;
      if (Date.now() > deadline) throw new CheckFailed(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  /** Prints what `user` sees that has not been printed yet (or has changed since). */
  const show = (user: string): void => {
    for (const m of flat(s.driver.screen(user).messages)) {
      const sig = `${m.ts}:${textOf(m).length}:${m.edited ? 1 : 0}`;
      if (shown.has(sig)) continue;
      shown.add(sig);
      const indent = m.thread_ts && m.thread_ts !== m.ts ? '      ↳ ' : '    ';
      for (const l of messageLines(m, names)) write(`${indent}${l}`);
    }
  };
  const find = (user: string, pred: (m: StoredMessage) => boolean) => flat(s.driver.screen(user).messages).find(pred);
  const findLast = (user: string, pred: (m: StoredMessage) => boolean) => flat(s.driver.screen(user).messages).filter(pred).at(-1);
  const act = async (user: string, what: string, p: Promise<{ ok: boolean; error?: string }>) => {
    write(`  > ${names[user]} ${what}`);
    const r = await p;
    check(r.ok, `${what} reached the bot${r.ok ? '' : `: ${r.error ?? ''}`}`);
  };
  const click = (user: string, m: StoredMessage, actionId: string) => {
    const b = buttonsOf(m.blocks).find((x) => x.actionId === actionId);
    check(Boolean(b), `the message has a "${actionId}" button`);
    return act(
      user,
      `clicks [ ${b?.text ?? actionId} ]`,
      s.driver.click(user, { messageTs: m.ts, actionId, ...(b?.value !== undefined ? { value: b.value } : {}) }),
    );
  };
  /** The bot follows runs on its own schedule (every 15 s); the tour moves its clock instead of waiting. */
  const hurryBot = () => {
    s.bot.advance(16_000);
    s.bot.chatops.worker.kick();
  };

  const step = async (name: string, body: () => Promise<void>) => {
    write('');
    write(`## ${name}`);
    try {
      await body();
      steps.push({ name, ok: true });
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      if (!(e instanceof CheckFailed)) write(`   ✗ ${detail}`);
      steps.push({ name, ok: false, detail });
    }
  };

  write('# Release ChatOps sandbox tour');
  write(`olreppe/pyWATS on github.com, mirrored to WATS/pyWATS on wats.ghe.com; alice releases, bob approves, carol watches.`);

  await step('/sync-status: the failed sync is diagnosed and the drift shown', async () => {
    await act(U.alice, 'types /sync-status', s.driver.command(U.alice, '/sync-status'));
    const report = await until('the report', () => find(U.alice, (m) => m.ephemeralTo === U.alice && /sync status/i.test(textOf(m))));
    show(U.alice);
    check(/authentication failed/i.test(textOf(report)), 'diagnosis: authentication failed');
    check(/v0\.1\.0b39/.test(textOf(report)), 'the tag missing on GHE is named (v0.1.0b39)');
    check(!find(U.bob, (m) => m.ts === report.ts), 'private: bob does not see it');
  });

  await step('/release v0.1.0b39 to the end', async () => {
    await act(U.alice, 'types /release v0.1.0b39', s.driver.command(U.alice, '/release v0.1.0b39'));
    const confirm = await until('the confirmation', () => findLast(U.alice, (m) => buttonsOf(m.blocks).some((b) => b.actionId === 'release_confirm')));
    show(U.alice);
    await click(U.alice, confirm, 'release_confirm');
    const run = await until('the dispatched release.yml run', () =>
      s.controls.runs().find((r) => r.workflow === 'release.yml' && r.event === 'workflow_dispatch'),
    );
    write(`  > GitHub: release.yml run #${run.number} (id ${run.id}) on ${run.ref}`);
    const releaseMessage = () => find(U.carol, (m) => !m.ephemeralTo && !m.thread_ts && /Release.*v0\.1\.0b39/.test(textOf(m)));
    // The first job starts and ends; the count is of the five jobs release.yml declares, not of those seen so far.
    write(`  > GitHub: ${s.controls.advance(run.id)}`);
    write(`  > GitHub: ${s.controls.advance(run.id)}`);
    hurryBot();
    let polls = 0;
    await until('the release message to count 1 of 5 jobs', () => {
      if (++polls % 20 === 0) hurryBot();
      return /1 of 5 jobs done/.test(textOf(releaseMessage() ?? {}));
    });
    show(U.alice);
    check(true, 'the count is of the jobs release.yml declares: 1 of 5 jobs done');
    for (let i = 0; i < 30 && s.controls.runs().find((r) => r.id === run.id)?.status !== 'completed'; i++) write(`  > GitHub: ${s.controls.advance(run.id)}`);
    hurryBot();
    const done = await until('the release message to say Released', () =>
      find(U.carol, (m) => !m.ephemeralTo && /v0\.1\.0b39/.test(textOf(m)) && /Released/.test(textOf(m))),
    );
    show(U.alice);
    check(Boolean(done), 'the channel message says Released, for everyone');
    check(/workflow `release\.yml`/.test(textOf(done)) && !/workflow `\d+`/.test(textOf(done)), 'the workflow is named release.yml, not by its id');
    check(textOf(done).includes(`Run #${run.number}`), `the bot's Run #${run.number} is the GitHub panel's #${run.number}`);
  });

  let rotationTs = '';
  await step('/rotate GHE_TOKEN: create, enter, approval by bob (carol refused), replace, verify, revoke the old token', async () => {
    await act(U.alice, 'types /rotate GHE_TOKEN', s.driver.command(U.alice, '/rotate GHE_TOKEN'));
    const checklist = await until('the checklist', () => find(U.carol, (m) => !m.thread_ts && /Rotation of GHE_TOKEN/.test(textOf(m))));
    rotationTs = checklist.ts;
    const enter = await until('the private enter step', () =>
      findLast(U.alice, (m) => m.ephemeralTo === U.alice && m.thread_ts === rotationTs && buttonsOf(m.blocks).some((b) => b.actionId === 'rotation_enter')),
    );
    show(U.alice);
    check(/settings\/tokens\/new\?scopes=repo/.test(textOf(enter)), 'the create link pre-fills the repo scope');
    await click(U.alice, enter, 'rotation_enter');
    const modal = await until('the modal', () => s.driver.screen(U.alice).modals.at(-1));
    for (const l of modalLines(modal.view, names)) write(`    ${l}`);
    const token = s.controls.createToken('GHE_TOKEN');
    write(`  > alice creates a new classic token on wats.ghe.com (fake: ${token.slice(0, 8)}…) and pastes it`);
    await act(U.alice, 'submits the modal', s.driver.submit(U.alice, modal.id, { secret_value_block: { secret_value_input: token } }));
    check(Object.keys(s.driver.screen(U.alice).modals.find((x) => x.id === modal.id)?.errors ?? {}).length === 0, 'the token passed the checks');
    const request = await until('the approval request in the thread', () =>
      findLast(U.bob, (m) => m.thread_ts === rotationTs && buttonsOf(m.blocks).some((b) => b.actionId === 'secret_change_approve')),
    );
    show(U.bob);

    const carolBefore = flat(s.driver.screen(U.carol).messages).filter((m) => m.ephemeralTo === U.carol).length;
    await click(U.carol, request, 'secret_change_approve');
    await until('carol’s private refusal', () => flat(s.driver.screen(U.carol).messages).filter((m) => m.ephemeralTo === U.carol).length > carolBefore);
    show(U.carol);
    check(s.controls.secrets().find((x) => x.name === 'GHE_TOKEN')?.matchesLastCreated === false, 'carol’s click changed nothing');

    await click(U.bob, request, 'secret_change_approve');
    await until('the secret to be replaced', () => s.controls.secrets().find((x) => x.name === 'GHE_TOKEN')?.matchesLastCreated === true);
    check(true, 'GHE_TOKEN now holds the new token (GitHub decrypts it to the one created)');
    await until('the checklist to show the write', () => /GHE_TOKEN` replaced/.test(textOf(find(U.carol, (m) => m.ts === rotationTs) ?? {})));

    // Verification: the bot re-runs the last sync job; GitHub plays it out.
    const rerun = await until('the re-run of the sync job', () =>
      s.controls.runs().find((r) => r.workflow === 'publish.yml' && r.attempt > 1 && r.status !== 'completed'),
    );
    write(`  > GitHub: publish.yml run #${rerun.number}, attempt ${rerun.attempt} (the bot re-ran sync-to-ghe)`);
    for (let i = 0; i < 30 && s.controls.runs().find((r) => r.id === rerun.id)?.status !== 'completed'; i++)
      write(`  > GitHub: ${s.controls.advance(rerun.id)}`);
    hurryBot();
    let polls = 0;
    await until('the checklist to say Verified', () => {
      // The run ended: let the bot's next look come now rather than in 15 s (again every 2 s if it missed it).
      if (++polls % 20 === 0) hurryBot();
      return /Verified/.test(textOf(find(U.carol, (m) => m.ts === rotationTs) ?? {}));
    });
    check(s.ghe.state.repo(s.seed.ghe.repo).tags.has('v0.1.0b39'), 'the mirror now has v0.1.0b39');

    const old = await until('the old-token step', () =>
      findLast(
        U.alice,
        (m) => m.ephemeralTo === U.alice && m.thread_ts === rotationTs && buttonsOf(m.blocks).some((b) => b.actionId === 'rotation_confirm_old'),
      ),
    );
    show(U.alice);
    await click(U.alice, old, 'rotation_confirm_old');
    const finished = await until('the rotation to complete', () => find(U.carol, (m) => m.ts === rotationTs && /Rotation complete/.test(textOf(m))));
    show(U.alice);
    check(/confirmed revoking the old token/.test(textOf(finished)), 'the checklist records who revoked the old token');
  });

  await step('a reminder: GHE_TOKEN is 340 days old', async () => {
    const reminder = await until('the reminder', () => find(U.carol, (m) => !m.thread_ts && /GHE_TOKEN of pywats reaches its age limit/.test(m.text ?? '')));
    for (const l of messageLines(reminder, names)) write(`    ${l}`);
    check(/in 25 days/.test(reminder.text ?? ''), 'posted at start-up, 30-day threshold: 25 days left');
    // GHE_TOKEN was rotated above, after the reminder went out: it no longer offers to start a rotation.
    const edited = await until('the reminder to say it is done', () => find(U.carol, (m) => m.ts === reminder.ts && /Rotated by/.test(textOf(m))));
    if (textOf(edited) !== textOf(reminder)) for (const l of messageLines(edited, names)) write(`    ${l}`);
    check(!buttonsOf(edited.blocks).some((b) => b.actionId === 'rotation_start'), 'edited once GHE_TOKEN was rotated: no Start rotation button left');
  });

  const ok = steps.every((x) => x.ok);
  write('');
  write(`# ${ok ? 'Tour passed' : 'Tour FAILED'}: ${steps.filter((x) => x.ok).length}/${steps.length} steps`);
  for (const x of steps) write(`  ${x.ok ? '✓' : '✗'} ${x.name}${x.detail ? ` — ${x.detail}` : ''}`);
  return { ok, steps };
}
