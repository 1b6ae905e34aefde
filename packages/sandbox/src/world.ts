import { startBotOnFakes, GHE_HOST, SANDBOX_BOT_TOKEN, SANDBOX_CHANNEL, SANDBOX_SIGNING_SECRET, SANDBOX_USERS, type BotOnFakes } from './bot.js';
import { GitHubControls } from './controls.js';
import { SlackDriver } from './driver.js';
import { FakeGitHub } from '@chatops/fake-github';
import { seedPywats, type PywatsSeed } from '@chatops/fake-github/scenario.js';
import { FakeSlack } from '@chatops/fake-slack';
import { freeLoopbackPort } from './freePort.js';
import { SandboxClock } from './clock.js';

/**
 * The offline world of `npm run sandbox`: the real bot (HTTP mode, SQLite in a
 * temporary folder), the fake Slack and the fake GitHub as github.com and as the GHE
 * host, all on loopback, seeded with the seeds' story:
 *  - olreppe/pyWATS publishes tags up to v0.1.0b39 with publish.yml (build, publish, sync-to-ghe) and has release.yml;
 *  - the mirror WATS/pyWATS on wats.ghe.com lacks the newest tag, because
 *  - GHE_TOKEN was set 340 days ago with a token that has since expired, so the last sync failed with "Authentication failed";
 *  - PAT_TOKEN (fine-grained, github.com) is 40 days old;
 *  - alice may release and request changes, bob approves, carol may do neither.
 */

const DAY = 86_400_000;

/** The secret the fake github.com signs its webhooks with, and the bot checks them with (GITHUB_WEBHOOK_SECRET). */
export const SANDBOX_WEBHOOK_SECRET = 'sandbox-webhook-secret-2f7c1e9a';
/**
 * Shorter than production's defaults, so the stories fit a sitting: the bot asks about a
 * tag without a release run after this many minutes (default 15), and with webhooks on
 * its poller checks for missed deliveries this often (default 600 s).
 */
export const SANDBOX_TAG_WITHOUT_RELEASE_MINUTES = 2;
export const SANDBOX_RECONCILE_SECONDS = 60;

export const SANDBOX_PEOPLE = [
  { id: SANDBOX_USERS.alice, name: 'alice', real_name: 'Alice (release engineer)' },
  { id: SANDBOX_USERS.bob, name: 'bob', real_name: 'Bob (approver)' },
  { id: SANDBOX_USERS.carol, name: 'carol', real_name: 'Carol (neither)' },
] as const;

export interface Sandbox {
  slack: FakeSlack;
  github: FakeGitHub;
  ghe: FakeGitHub;
  seed: PywatsSeed;
  bot: BotOnFakes;
  controls: GitHubControls;
  driver: SlackDriver;
  channel: string;
  /** The one clock the fakes and the bot read. */
  clock: SandboxClock;
  stop(): Promise<void>;
}

export interface SandboxOptions {
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Where the bot's log lines go (default: kept in `bot.logs`). */
  logSink?: (line: string) => void;
  /** Where the short activity log goes (sanitized lines: requests to the bot, jobs it ran); default: nowhere. */
  activity?: (text: string) => void;
}

export async function startSandbox(o: SandboxOptions = {}): Promise<Sandbox> {
  // One clock for the fakes and the bot, so every time shown lies on one time line.
  const clock = new SandboxClock();
  const now = () => clock.now();
  const slack = new FakeSlack({ botToken: SANDBOX_BOT_TOKEN, now });
  const github = new FakeGitHub({ flavor: 'dotcom', wallClock: now });
  const ghe = new FakeGitHub({ flavor: 'ghes', webHost: GHE_HOST, wallClock: now });
  await Promise.all([slack.start(), github.start(), ghe.start()]);
  const seededAt = Date.now();
  const seed = seedPywats(github, ghe, {
    gheTokenUpdatedAt: new Date(seededAt - 340 * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    // Created with a shorter expiry than maxAgeDays: it ran out two days before the newest release.
    gheTokenExpiresAt: new Date(seededAt - 9 * DAY).toISOString(),
  });
  // Seeded history lies in the past; from here on, runs the user plays out push the clock ahead.
  clock.addFloor(() => Math.max(github.state.clock.peek().getTime(), ghe.state.clock.peek().getTime()));
  for (const p of SANDBOX_PEOPLE) slack.addUser({ ...p });
  let bot: BotOnFakes;
  try {
    // The bot serves /rotate's masked entry page at PUBLIC_URL, so its port is chosen first.
    const port = await freeLoopbackPort();
    bot = await startBotOnFakes({
      port,
      env: { PUBLIC_URL: `http://127.0.0.1:${port}`, GITHUB_WEBHOOK_SECRET: SANDBOX_WEBHOOK_SECRET },
      config: (cfg) => {
        for (const r of cfg.repos) r.alerts = { ...(r.alerts as object | undefined), tagWithoutRelease: SANDBOX_TAG_WITHOUT_RELEASE_MINUTES };
        (cfg as Record<string, unknown>).events = { reconcileSeconds: SANDBOX_RECONCILE_SECONDS };
      },
      slackApiUrl: slack.apiUrl,
      githubUrl: github.url,
      gheUrl: ghe.url,
      seed,
      logLevel: o.logLevel ?? 'info',
      ...(o.logSink ? { logSink: o.logSink } : {}),
      ...(o.activity ? { activity: o.activity } : {}),
      workerIdleMs: 250,
      clock,
    });
  } catch (e) {
    await Promise.all([slack.stop(), github.stop(), ghe.stop()]);
    throw e;
  }
  // The fake github.com delivers signed webhooks to the bot, as a repository webhook would (JSON, the secret).
  github.addHook(seed.github.repo, { url: `${bot.appUrl}/github/webhooks`, secret: SANDBOX_WEBHOOK_SECRET });
  const driver = new SlackDriver(slack, bot.appUrl, SANDBOX_SIGNING_SECRET, SANDBOX_CHANNEL);
  driver.onRequest = bot.report;
  return {
    slack,
    github,
    ghe,
    seed,
    bot,
    controls: new GitHubControls(github, ghe, seed),
    driver,
    channel: SANDBOX_CHANNEL,
    clock,
    async stop() {
      await bot.stop();
      await Promise.all([slack.stop(), github.stop(), ghe.stop()]);
    },
  };
}
