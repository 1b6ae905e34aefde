/**
 * Structurally wild Slack payloads for property tests: real Slack bodies (as the fake
 * Slack builds them) with wrong types put at any path, keys removed, deep nesting,
 * huge strings, NUL and other unicode; and JSON scalars and arrays in place of a body.
 */
import fc from 'fast-check';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { blockActionPayload, eventBody, slashCommandBody, viewSubmissionPayload } from '@chatops/fake-slack';
import { VIEW_IDS } from '../../src/views/ids.js';
import type { FakeGitHub } from '@chatops/fake-github';
import { CHANNEL, USERS } from './harness.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Templates: one of each kind of request, aimed at the bot's real listeners, with nothing real behind their values. */
const templates = (RESPONSE_URL: string) => ({
  command: () =>
    Object.fromEntries(
      new URLSearchParams(slashCommandBody({ command: '/sync-status', text: 'nope', user_id: USERS.carol, channel_id: CHANNEL, response_url: RESPONSE_URL })),
    ) as Record<string, Json>,
  blockAction: () =>
    blockActionPayload({
      user_id: USERS.carol,
      channel_id: CHANNEL,
      action_id: ACTION_IDS.secretApprove,
      value: '01JUNKJUNKJUNKJUNKJUNKJUNK',
      message_ts: '1795470000.000100',
      response_url: RESPONSE_URL,
    }) as Record<string, Json>,
  viewSubmission: () =>
    viewSubmissionPayload({
      user_id: USERS.carol,
      callback_id: VIEW_IDS.secretValue,
      private_metadata: '{"repo":"olreppe/pyWATS","secret":"GHE_TOKEN"}',
      values: { value: { value: 'x' } },
    }) as Record<string, Json>,
  viewClosed: () =>
    ({ ...viewSubmissionPayload({ user_id: USERS.carol, callback_id: 'unknown_modal', values: {} }), type: 'view_closed' }) as Record<string, Json>,
  event: () => JSON.parse(eventBody({ type: 'app_home_opened', user: USERS.carol, channel: 'D0CAROL003', tab: 'home' })) as Record<string, Json>,
  messageEvent: () =>
    JSON.parse(eventBody({ type: 'message', channel: CHANNEL, user: USERS.carol, text: 'hello', ts: '1795470000.000200' })) as Record<string, Json>,
});

/** Every path in a JSON value (objects and arrays), the root excluded. */
function pathsOf(v: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (v === null || typeof v !== 'object') return [];
  const entries: [string | number, Json][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  return entries.flatMap(([k, x]) => [[...prefix, k], ...pathsOf(x, [...prefix, k])]);
}

const DELETE = Symbol('delete');

function setAt(root: Json, path: (string | number)[], value: Json | typeof DELETE): void {
  let node: Json = root;
  for (const k of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<string | number, Json>)[k] ?? null;
  }
  if (node === null || typeof node !== 'object') return;
  const last = path[path.length - 1]!;
  if (value === DELETE) {
    if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
    else delete (node as Record<string, Json>)[last];
  } else (node as Record<string | number, Json>)[last] = value;
}

/** Nested `depth` levels: objects or arrays. */
export function nested(depth: number, leaf: Json = 'x', kind: 'object' | 'array' = 'object'): Json {
  let v: Json = leaf;
  for (let i = 0; i < depth; i++) v = kind === 'object' ? { id: v } : [v];
  return v;
}

const oddStrings = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom(
    '',
    '\u0000',
    'U0CAROL003\u0000',
    '\u202eU0BOB00002',
    '🚀'.repeat(50),
    'T0OTHER99',
    'null',
    '{}',
    '[]',
    '<!channel>',
    "'; drop table jobs; --",
    '\ud800',
  ),
);
/** Up to 100,000 characters (600 kB form-encoded): four of them in one body stay under Bolt's 4 MiB limit. */
const hugeString = fc.integer({ min: 20_000, max: 100_000 }).map((n) => 'é'.repeat(n));
const deep = fc.tuple(fc.integer({ min: 100, max: 700 }), fc.constantFrom<'object' | 'array'>('object', 'array')).map(([n, k]) => nested(n, 'x', k));
/** A value of the wrong type (or just wrong) for any path. */
export const wildValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<Json>(null, true, false, 0, -1, 1e308, '', [], {}, [null], { id: null }, { id: 7 }) },
  { weight: 3, arbitrary: oddStrings },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: hugeString },
);

/** A template with 1 to 4 paths replaced by wild values or removed. */
export function mutated(template: () => Record<string, Json>): fc.Arbitrary<Json> {
  const paths = pathsOf(template());
  return fc.array(fc.tuple(fc.constantFrom(...paths), fc.option(wildValue, { nil: undefined, freq: 4 })), { minLength: 1, maxLength: 4 }).map((edits) => {
    const body = template();
    // Each edit gets its own copy: fc.constantFrom hands out the same object every run, and a later edit
    // below a replaced path would otherwise write into that shared constant (once into itself: a cycle).
    for (const [path, value] of edits) setAt(body, path, value === undefined ? DELETE : structuredClone(value));
    return body;
  });
}

/** Whole bodies that are not what Slack sends at all. */
export const wildTopLevel: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null,
    true,
    false,
    0,
    'payload',
    [],
    [{}],
    {},
    { type: null },
    { event: null },
    { command: null },
    { actions: 'x', type: 'block_actions' },
    { type: 'view_submission' },
    { type: 'event_callback', event: 'message' },
  ),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  deep,
);

/** Wild payloads per kind of request; `responseUrl` is where the bot's private answers to them go (the fake Slack's). */
export function wildPayloads(responseUrl: string): { interaction: fc.Arbitrary<Json>; event: fc.Arbitrary<Json>; command: fc.Arbitrary<Json> } {
  const t = templates(responseUrl);
  return {
    interaction: fc.oneof(mutated(t.blockAction), mutated(t.viewSubmission), mutated(t.viewClosed), wildTopLevel),
    event: fc.oneof(mutated(t.event), mutated(t.messageEvent), wildTopLevel),
    command: fc.oneof(mutated(t.command), wildTopLevel),
  };
}

/** Requests that would change something on a GitHub fake (GraphQL queries are POSTs that only read). */
export function writesTo(github: FakeGitHub): string[] {
  return github.requests.filter((r) => !['GET', 'HEAD'].includes(r.method) && !/\/graphql$/.test(r.path)).map((r) => `${r.method} ${r.path}`);
}
