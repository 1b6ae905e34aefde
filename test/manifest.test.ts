import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

/**
 * manifest.yml against Slack's published app-manifest JSON Schema (vendored in
 * test/fixtures/slack-manifest), plus what the contract requires of it.
 */

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (a: Ajv) => Ajv;

type Json = Record<string, unknown>;
interface SlashCommand {
  command: string;
  url?: string;
  description?: string;
  usage_hint?: string;
  should_escape?: boolean;
}
interface Manifest {
  display_information: { name: string; description?: string };
  features: { slash_commands: SlashCommand[]; app_home: Json; bot_user: Json };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url?: string };
    event_subscriptions: { request_url?: string; bot_events: string[] };
    org_deploy_enabled: boolean;
    socket_mode_enabled: boolean;
    token_rotation_enabled: boolean;
  };
}

const schemaUrl = new URL('./fixtures/slack-manifest/slack-app-manifest.schema.1.0.0.json', import.meta.url);
const manifestUrl = new URL('../manifest.yml', import.meta.url);

function compileSchema(): ValidateFunction {
  // strict: false because the schema uses a non-standard `_note` keyword (see test/fixtures/slack-manifest/README.md).
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(schemaUrl, 'utf8')) as Json);
}

const validate = compileSchema();
const manifest = parse(readFileSync(manifestUrl, 'utf8')) as Manifest;
const copy = (): Manifest => structuredClone(manifest);

function problems(m: unknown): string {
  return validate(m) ? '' : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join('; ');
}

describe('manifest.yml', () => {
  test('is valid against Slack’s app manifest schema', () => {
    assert.equal(problems(manifest), '');
  });

  test('the schema check is live: broken copies are rejected', () => {
    const noDescription = copy();
    delete noDescription.features.slash_commands[0]!.description;
    assert.match(problems(noDescription), /slash_commands\/0 must have required property 'description'/);

    const unknownTopLevel = { ...copy(), slash_commands: [] };
    assert.match(problems(unknownTopLevel), /must NOT have additional properties/);

    const badCommand = copy();
    badCommand.features.slash_commands[1]!.command = 'sync-status';
    assert.match(problems(badCommand), /slash_commands\/1\/command must match pattern/);

    const longName = copy();
    longName.display_information.name = 'x'.repeat(36);
    assert.match(problems(longName), /display_information\/name must NOT have more than 35 characters/);
  });

  test('declares the four commands with their usage hints', () => {
    const byName = new Map(manifest.features.slash_commands.map((c) => [c.command, c]));
    assert.deepEqual([...byName.keys()].sort(), ['/release', '/rotate', '/secret', '/sync-status']);
    assert.equal(byName.get('/release')?.usage_hint, '[repo] <tag>');
    assert.equal(byName.get('/sync-status')?.usage_hint, '[repo]');
    assert.equal(byName.get('/rotate')?.usage_hint, '[repo] <SECRET>');
    assert.equal(byName.get('/secret')?.usage_hint, 'replace|revoke [repo] <SECRET>');
    for (const c of byName.values()) {
      assert.ok(c.description, `${c.command} has a description`);
      assert.equal(c.should_escape, false, `${c.command}: the bot parses plain text`);
    }
  });

  test('every Slack request goes to /slack/events', () => {
    const urls = [
      ...manifest.features.slash_commands.map((c) => c.url),
      manifest.settings.interactivity.request_url,
      manifest.settings.event_subscriptions.request_url,
    ];
    assert.equal(urls.length, 6);
    for (const u of urls) assert.match(u ?? '(missing)', /^https:\/\/[^/]+\/slack\/events$/);
    assert.equal(manifest.settings.interactivity.is_enabled, true);
  });

  test('least privilege: exactly the scopes and events the bot uses', () => {
    assert.deepEqual([...manifest.oauth_config.scopes.bot].sort(), [
      'channels:history',
      'chat:write',
      'chat:write.public',
      'commands',
      'groups:history',
      'usergroups:read',
    ]);
    assert.equal(manifest.oauth_config.scopes.user, undefined, 'no user-token scopes');
    assert.deepEqual([...manifest.settings.event_subscriptions.bot_events].sort(), [
      'app_home_opened',
      'message.channels',
      'message.groups',
      'subteam_members_changed',
    ]);
    // Each message event needs its history scope, or Slack refuses the manifest.
    const needs: Record<string, string> = { 'message.channels': 'channels:history', 'message.groups': 'groups:history' };
    for (const e of manifest.settings.event_subscriptions.bot_events) {
      if (needs[e]) assert.ok(manifest.oauth_config.scopes.bot.includes(needs[e]), `${e} needs ${needs[e]}`);
    }
  });

  test('HTTP mode settings and the Home tab', () => {
    assert.equal(manifest.display_information.name, 'Release ChatOps');
    assert.ok(manifest.display_information.description);
    assert.equal(manifest.features.app_home.home_tab_enabled, true);
    assert.ok(
      manifest.features.app_home.messages_tab_enabled === false || manifest.features.app_home.messages_tab_read_only_enabled === true,
      'the Messages tab is off or read-only (the bot does not read DMs)',
    );
    assert.equal(manifest.settings.socket_mode_enabled, false);
    assert.equal(manifest.settings.org_deploy_enabled, false);
    assert.equal(manifest.settings.token_rotation_enabled, false);
  });
});
