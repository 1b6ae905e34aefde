/**
 * Bench parts 6 and 7: the bot as production runs it (`npm start`: compiled JavaScript, plain node), beside a bare
 * Bolt app in plain JavaScript (bench/bareBolt.mjs), both in processes of their own on the same fakes.
 *  6. Start-up (spawn until the app serves: the bot's /readyz, the bare app's /healthz) and idle RSS after 5 s, five runs each, alternating.
 *  7. Soak: RSS of both while the bot serves a mix of commands, clicks, events and junk, and runs its jobs;
 *     sampled at the start, every minute and at the end (BENCH_SOAK_MINUTES, default 10).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify as toYaml } from 'yaml';
import { sendBlockAction, sendEvent, sendSlashCommand } from '@chatops/fake-slack';
import type { PywatsSeed } from '@chatops/fake-github/scenario.js';
import { freeLoopbackPort } from '@chatops/sandbox/freePort.js';
import { BOT_TOKEN, CHANNEL, SIGNING_SECRET, USERS } from '../test/helpers/harness.js';
import { npmStartArgs } from '../test/helpers/botProcess.js';

export interface FakesInfo {
  slackApiUrl: string;
  githubUrl: string;
  gheUrl: string;
  controlUrl: string;
  seed: PywatsSeed;
}

const root = fileURLToPath(new URL('..', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident set of one process, from /proc (MiB). */
function rssMiB(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

interface Running {
  child: ChildProcess;
  url: string;
  startupMs: number;
  stop(): Promise<void>;
  output(): string;
}

/** `bot`: as `npm start` runs it; `bot-plain`: the same without npm start's node flags (the figure they change). */
type Which = 'bot' | 'bot-plain' | 'bare';

async function launch(which: Which, fakes: FakesInfo, dir: string): Promise<Running> {
  const port = await freeLoopbackPort();
  const config = join(dir, 'chatops.yml');
  await writeFile(config, toYaml({ repos: [{ ...fakes.seed.repoConfig, channel: CHANNEL }], access: { release: [USERS.alice], approve: [USERS.bob] } }));
  const env = {
    PATH: process.env.PATH,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fakes.slackApiUrl,
    ...fakes.seed.env,
    CHATOPS_CONFIG: config,
    DATABASE_URL: join(dir, `${port}.sqlite`),
    PORT: String(port),
    LOG_LEVEL: 'warn',
  };
  const args =
    which === 'bare' ? [join(root, 'bench', 'bareBolt.mjs')] : [...(which === 'bot' ? npmStartArgs().flags : []), join(root, 'scripts', 'start.mjs')];
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${which} exited during start-up:\n${out}`);
    // The bot serves Slack once its start-up checks pass (/readyz); the bare app as soon as it listens.
    const ok = await fetch(`${url}/${which === 'bare' ? 'healthz' : 'readyz'}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (performance.now() - started > 60_000) throw new Error(`${which} did not start within 60 s:\n${out}`);
    await sleep(5);
  }
  return {
    child,
    url,
    startupMs: performance.now() - started,
    output: () => out,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function withFakes<T>(
  spawnReady: (script: string, args: string[]) => Promise<{ info: FakesInfo; stop: () => Promise<void> }>,
  fn: (f: FakesInfo, dir: string) => Promise<T>,
): Promise<T> {
  // The bot runs what `npm run build` made; build once here so no run pays for it.
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
  const fakes = await spawnReady('./fakesProcess.ts', [BOT_TOKEN, CHANNEL, USERS.alice, '0']);
  const dir = await mkdtemp(join(tmpdir(), 'chatops-bench-runtime-'));
  try {
    return await fn(fakes.info, dir);
  } finally {
    await fakes.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Asks `url` every 25 ms for `ms` and returns the longest answer: how long the event loop was held (the code cache's write). */
async function longestAnswer(url: string, ms: number): Promise<number> {
  let longest = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t0 = performance.now();
    await fetch(url).then(
      (r) => r.arrayBuffer(),
      () => undefined,
    );
    longest = Math.max(longest, performance.now() - t0);
    await sleep(25);
  }
  return longest;
}

/** Where the bot's idle memory is, from its /metrics (prom-client's process metrics): V8 heap used and total, and memory outside it. */
async function heapOf(url: string): Promise<string> {
  const text = await fetch(`${url}/metrics`).then(
    (r) => r.text(),
    () => '',
  );
  const mib = (name: string) => {
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return m ? (Number(m[1]) / 2 ** 20).toFixed(0) : '?';
  };
  return `heap used ${mib('nodejs_heap_size_used_bytes')} of ${mib('nodejs_heap_size_total_bytes')}, external ${mib('nodejs_external_memory_bytes')}`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/**
 * Runs of each app in part 6. One app's idle RSS varies by up to 10 MiB between runs of the same build (outside V8's
 * heap), and the first run of the bot writes its code cache: five runs make the median one figure of a steady state.
 */
const RUNS = 5;

export async function startupAndIdle(spawnReady: Parameters<typeof withFakes>[0]): Promise<void> {
  await withFakes(spawnReady, async (fakes, dir) => {
    const flags = npmStartArgs().flags;
    const order: Which[] = flags.length ? ['bare', 'bot', 'bot-plain'] : ['bare', 'bot'];
    const rows: Record<Which, { startup: number[]; rss: number[]; stall: number[] }> = {
      bot: { startup: [], rss: [], stall: [] },
      'bot-plain': { startup: [], rss: [], stall: [] },
      bare: { startup: [], rss: [], stall: [] },
    };
    const heaps: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      for (const which of order) {
        const app = await launch(which, fakes, dir);
        rows[which].stall.push(await longestAnswer(`${app.url}/healthz`, 5000));
        rows[which].startup.push(app.startupMs);
        rows[which].rss.push(rssMiB(app.child.pid));
        if (which === 'bot') heaps.push(await heapOf(app.url));
        await app.stop();
      }
    }
    console.log(
      `\n6. Start-up (spawn until serving: the bot's /readyz, after its credential checks; bare Bolt's /healthz) and idle RSS 5 s later; the bot as \`npm start\` runs it (dist/, plain node${flags.length ? ` ${flags.join(' ')}` : ''}), bare Bolt in plain JS; ${RUNS} runs each`,
    );
    console.log(`   app              ${'start-up ms (runs)'.padStart(RUNS * 6)}   median   ${'idle RSS MiB (runs)'.padStart(RUNS * 6)}   median`);
    const label: Record<Which, string> = { bot: 'release-chatops', 'bot-plain': '  without flags', bare: 'bare Bolt' };
    for (const which of ['bot', 'bot-plain', 'bare'] as const) {
      const r = rows[which];
      if (r.startup.length === 0) continue;
      console.log(
        `   ${label[which].padEnd(16)} ${r.startup.map((x) => x.toFixed(0).padStart(6)).join('')}   ${median(r.startup).toFixed(0).padStart(6)}   ${r.rss.map((x) => x.toFixed(0).padStart(6)).join('')}   ${median(r.rss).toFixed(0).padStart(6)}`,
      );
    }
    // Run 1 of the bot is the first after the build: it writes the V8 code cache 3 s after start (scripts/runBundle.mjs).
    console.log(
      `   longest /healthz answer in the 5 s after start (asked every 25 ms), ms: bot ${rows.bot.stall.map((x) => x.toFixed(0)).join(', ')} (run 1 writes the code cache), bare Bolt ${rows.bare.stall.map((x) => x.toFixed(0)).join(', ')}`,
    );
    console.log(`   the bot's own figures at idle (its /metrics, MiB): ${heaps.join('; ')}`);
    const ratio = (w: Which, k: 'startup' | 'rss') => (median(rows[w][k]) / median(rows.bare[k])).toFixed(2);
    console.log(
      `   ratio bot/bare: start-up ${ratio('bot', 'startup')} (target <= 1.5), idle RSS ${ratio('bot', 'rss')} (target <= 1.25)${flags.length ? `; without ${flags.join(' ')}: start-up ${ratio('bot-plain', 'startup')}, idle RSS ${ratio('bot-plain', 'rss')}` : ''}`,
    );
  });
}

/** One round of the soak's mix: commands (some refused, some with buttons), a click, events, junk. */
async function mixRound(url: string, controlUrl: string, i: number): Promise<void> {
  const responseUrl = async () => ((await (await fetch(`${controlUrl}/response-urls?n=1`, { method: 'POST' })).json()) as string[])[0] ?? '';
  const command = async (command: string, text: string, user: string = USERS.alice) =>
    sendSlashCommand(url, SIGNING_SECRET, { command, text, user_id: user, channel_id: CHANNEL, response_url: await responseUrl() });
  await command('/sync-status', '');
  await command('/release', i % 2 ? 'v0.1.0b39' : 'help');
  await command('/rotate', 'help', USERS.carol);
  await command('/secret', 'replace GHE_TOKEN', USERS.carol);
  await sendEvent(url, SIGNING_SECRET, { type: 'app_home_opened', user: USERS.alice, channel: 'D0HOME', tab: 'home' });
  await sendEvent(url, SIGNING_SECRET, { type: 'message', user: USERS.carol, channel: CHANNEL, text: `build ${i} is green`, ts: `${Date.now() / 1000}` });
  await sendBlockAction(url, SIGNING_SECRET, { action_id: 'release_confirm', value: `stale-${i}`, user_id: USERS.alice, channel_id: CHANNEL });
  await fetch(`${url}/slack/events`, { method: 'POST', body: 'payload=%7B' }).catch(() => undefined);
}

export async function soak(spawnReady: Parameters<typeof withFakes>[0]): Promise<void> {
  const minutes = Number(process.env.BENCH_SOAK_MINUTES ?? 10);
  await withFakes(spawnReady, async (fakes, dir) => {
    const bot = await launch('bot', fakes, dir);
    const bare = await launch('bare', fakes, dir);
    const curve: Array<{ at: number; bot: number; bare: number; rounds: number }> = [];
    const started = Date.now();
    let rounds = 0;
    curve.push({ at: 0, bot: rssMiB(bot.child.pid), bare: rssMiB(bare.child.pid), rounds });
    try {
      // The first /release is confirmed, so a release follower job runs for the rest of the soak.
      await mixRound(bot.url, fakes.controlUrl, 1);
      await sleep(2000);
      const responses = JSON.stringify(await (await fetch(`${fakes.controlUrl}/responses`)).json());
      const confirm = /"action_id":"release_confirm","value":"([^"]+)"/.exec(responses)?.[1];
      const [clickUrl] = (await (await fetch(`${fakes.controlUrl}/response-urls?n=1`, { method: 'POST' })).json()) as string[];
      if (confirm)
        await sendBlockAction(bot.url, SIGNING_SECRET, {
          action_id: 'release_confirm',
          value: confirm,
          user_id: USERS.alice,
          channel_id: CHANNEL,
          response_url: clickUrl,
        });
      console.log(
        `   (soak: ${confirm ? 'a release was confirmed, its follower job runs throughout' : 'no release confirmation arrived: no follower job runs'})`,
      );
      let nextSample = started + 60_000;
      while (Date.now() - started < minutes * 60_000) {
        await mixRound(bot.url, fakes.controlUrl, rounds);
        await mixRound(bare.url, fakes.controlUrl, rounds);
        rounds += 1;
        if (Date.now() >= nextSample) {
          curve.push({ at: (Date.now() - started) / 60_000, bot: rssMiB(bot.child.pid), bare: rssMiB(bare.child.pid), rounds });
          nextSample += 60_000;
        }
        await sleep(250);
      }
      curve.push({ at: (Date.now() - started) / 60_000, bot: rssMiB(bot.child.pid), bare: rssMiB(bare.child.pid), rounds });
    } finally {
      await bot.stop();
      await bare.stop();
    }
    console.log(
      `\n7. Soak: ${minutes} min of mixed traffic (each round: /sync-status, /release, refused /rotate and /secret, Home tab, a channel message, a stale button, junk), RSS in MiB`,
    );
    console.log('   minute   rounds   release-chatops   bare Bolt');
    for (const p of curve)
      console.log(`   ${p.at.toFixed(1).padStart(6)}   ${String(p.rounds).padStart(6)}   ${p.bot.toFixed(0).padStart(15)}   ${p.bare.toFixed(0).padStart(9)}`);
    const first = curve[1] ?? curve[0]!;
    const last = curve.at(-1)!;
    console.log(
      `   bot RSS from minute ${first.at.toFixed(0)} to the end: ${(last.bot - first.bot).toFixed(0)} MiB (${(((last.bot - first.bot) / first.bot) * 100).toFixed(1)} %)`,
    );
  });
}
