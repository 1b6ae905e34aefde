import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import type { z } from 'zod';
import { npmStartArgs, spawnBot } from '../helpers/botProcess.js';
import { loadConfig } from '../../src/config/load.js';
import { FileConfig } from '../../src/config/schema.js';
import { FakeGitHub } from '@chatops/fake-github';
import { seedPywats } from '@chatops/fake-github/scenario.js';
import { FakeSlack } from '@chatops/fake-slack';
import { BOT_TOKEN, CHANNEL, freePort, SIGNING_SECRET, USERS } from '../helpers/harness.js';

const examplePath = fileURLToPath(new URL('../../chatops.example.yml', import.meta.url));
const env = (path: string): NodeJS.ProcessEnv => ({
  SLACK_BOT_TOKEN: 'xoxb-1-example',
  SLACK_SIGNING_SECRET: 'example-signing-secret',
  GITHUB_TOKEN: 'ghp_exampleexampleexampleexampleexampl',
  GHE_API_TOKEN: 'ghp_mirrormirrormirrormirrormirrormirro',
  CHATOPS_CONFIG: path,
});

/** Every key path the schema accepts (`repos[].secrets[].verify.ref`), read from the zod schema itself. */
function schemaKeys(schema: z.ZodType, prefix = ''): string[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  switch (def.type) {
    case 'object':
      return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([k, v]) => {
        const path = prefix ? `${prefix}.${k}` : k;
        return [path, ...schemaKeys(v, path)];
      });
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
      return schemaKeys(def.innerType as z.ZodType, prefix);
    case 'pipe':
      return schemaKeys(def.in as z.ZodType, prefix);
    case 'array':
      return schemaKeys(def.element as z.ZodType, `${prefix}[]`);
    default:
      return [];
  }
}

/** Every key path present in a parsed YAML document. */
function documentKeys(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => documentKeys(v, `${prefix}[]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => {
      const path = prefix ? `${prefix}.${k}` : k;
      // Values of free-form maps (workflow inputs) are data, not keys.
      return [path, ...(k === 'inputs' ? [] : documentKeys(v, path))];
    });
  }
  return [];
}

test('chatops.example.yml is a valid configuration that shows every key the bot accepts', async () => {
  const cfg = await loadConfig(env(examplePath));
  const repo = cfg.file.repos[0]!;
  assert.equal(repo.github, 'olreppe/pyWATS');
  assert.deepEqual(
    repo.secrets.map((s) => [s.name, s.kind]),
    [
      ['GHE_TOKEN', 'classic-pat'],
      ['PAT_TOKEN', 'fine-grained-pat'],
    ],
  );
  const shown = new Set(documentKeys(parse(await readFile(examplePath, 'utf8'))));
  const accepted = schemaKeys(FileConfig);
  assert.ok(accepted.length > 20, `read ${accepted.length} keys from the schema`);
  assert.deepEqual(
    accepted.filter((k) => !shown.has(k)),
    [],
    'keys the bot accepts but the example does not show',
  );
  assert.deepEqual(
    [...shown].filter((k) => !accepted.includes(k)),
    [],
    'keys the example shows but the bot does not accept',
  );
});

test('npm start runs on chatops.example.yml (hosts and IDs pointed at the fakes) and becomes ready', { timeout: 240_000 }, async () => {
  const slack = new FakeSlack({ botToken: BOT_TOKEN });
  const github = new FakeGitHub({ flavor: 'dotcom' });
  const ghe = new FakeGitHub({ flavor: 'ghes', webHost: 'wats.ghe.com' });
  await Promise.all([slack.start(), github.start(), ghe.start()]);
  const seed = seedPywats(github, ghe);
  const dir = await mkdtemp(join(tmpdir(), 'chatops-example-'));
  // Only what differs between the example's world and the fakes' is replaced: addresses and Slack IDs.
  const doc = parse(await readFile(examplePath, 'utf8')) as { repos: Record<string, any>[]; access: Record<string, string[]> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const repo = doc.repos[0]!;
  repo.channel = CHANNEL;
  repo.sync.mirror.apiUrl = ghe.apiUrl;
  repo.secrets[0].host = ghe.webUrl;
  repo.secrets[1].host = github.webUrl;
  doc.access = { release: [USERS.alice], approve: [USERS.bob] };
  await writeFile(join(dir, 'chatops.yml'), stringify(doc));
  const port = await freePort();
  // As `npm start` runs it (its node flags too): scripts/start.mjs builds dist/ when it is missing or stale, then runs it with plain node.
  const bot = spawnBot({
    port,
    args: npmStartArgs().args,
    env: {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      ...seed.env,
      CHATOPS_CONFIG: join(dir, 'chatops.yml'),
      DATABASE_URL: join(dir, 'chatops.sqlite'),
    },
  });
  const { child, exited } = bot;
  try {
    // A clean clone builds dist/ first (about 20 s on 2 idle cores).
    await bot.ready(180_000);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, bot.output());
  } finally {
    child.kill('SIGKILL');
    await Promise.all([slack.stop(), github.stop(), ghe.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
});
