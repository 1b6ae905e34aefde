/**
 * What Slack sends to an app's Request URL (`POST {appUrl}/slack/events`), built
 * the way Slack builds it and signed with the app's signing secret:
 * `x-slack-signature: v0=hex(HMAC-SHA256(secret, "v0:{timestamp}:{raw body}"))`.
 *
 * Slash commands are form fields; interactions are a form field `payload` holding
 * JSON; events are a JSON body. Field lists follow Bolt's own types
 * (SlashCommand, BlockAction, ViewSubmitAction, EnvelopedEvent).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export interface SignedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: unknown;
  elapsedMs: number;
}

/** Overrides to forge a request: a stale timestamp (seconds) or a wrong signature; extra headers (Slack's `x-slack-retry-num`…). */
export interface SignOptions {
  timestamp?: number;
  signature?: string;
  headers?: Record<string, string>;
}

/** The headers Slack adds to a redelivery of an event (Events API "Retries"). */
export function retryHeaders(num: number, reason = 'http_timeout'): Record<string, string> {
  return { 'x-slack-retry-num': String(num), 'x-slack-retry-reason': reason };
}

const APP_ID = 'A0CHATOPS';
const DEFAULT_TEAM = 'T0SANDBOX';
const TEAM_DOMAIN = 'release-sandbox';
/** Slack still sends the deprecated verification token; Bolt ignores it. */
const VERIFICATION_TOKEN = 'sandbox-verification-token';

export function signSlackBody(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

function newTriggerId(): string {
  return `${Date.now()}.${randomBytes(6).readUIntBE(0, 6)}.${randomBytes(16).toString('hex')}`;
}

function actionTs(): string {
  return (Date.now() / 1000).toFixed(6);
}

/** POSTs a signed body to `${appUrl}/slack/events` and reads the answer. */
export async function postSigned(appUrl: string, signingSecret: string, body: string, contentType: string, opts: SignOptions = {}): Promise<SignedResponse> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = opts.signature ?? signSlackBody(signingSecret, timestamp, body);
  const started = performance.now();
  const res = await fetch(`${appUrl.replace(/\/+$/, '')}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature,
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      ...opts.headers,
    },
    body,
  });
  const text = await res.text();
  const elapsedMs = performance.now() - started;
  let json: unknown;
  if (text.length > 0) {
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      json = undefined;
    }
  }
  return { status: res.status, headers: Object.fromEntries(res.headers.entries()), body: text, ...(json !== undefined ? { json } : {}), elapsedMs };
}

export interface SlashCommandInput {
  command: string;
  text: string;
  user_id: string;
  user_name?: string;
  channel_id: string;
  channel_name?: string;
  team_id?: string;
  response_url: string;
  trigger_id?: string;
}

export function slashCommandBody(c: SlashCommandInput): string {
  // Field order as Slack sends them.
  return new URLSearchParams({
    token: VERIFICATION_TOKEN,
    team_id: c.team_id ?? DEFAULT_TEAM,
    team_domain: TEAM_DOMAIN,
    channel_id: c.channel_id,
    channel_name: c.channel_name ?? 'releases',
    user_id: c.user_id,
    user_name: c.user_name ?? c.user_id.toLowerCase(),
    command: c.command,
    text: c.text,
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url: c.response_url,
    trigger_id: c.trigger_id ?? newTriggerId(),
  }).toString();
}

export function sendSlashCommand(appUrl: string, signingSecret: string, c: SlashCommandInput, opts?: SignOptions): Promise<SignedResponse> {
  return postSigned(appUrl, signingSecret, slashCommandBody(c), 'application/x-www-form-urlencoded', opts);
}

export interface BlockActionInput {
  user_id: string;
  user_name?: string;
  team_id?: string;
  action_id: string;
  value?: string;
  block_id?: string;
  /** Element type (`button` unless given). */
  action_type?: string;
  /** Button label as the user saw it. */
  action_text?: string;
  /** Extra fields of the action (selected_option…). */
  action?: Record<string, unknown>;
  channel_id?: string;
  channel_name?: string;
  /** The message the button is on; omitted for ephemeral messages and views, as Slack does. */
  message_ts?: string;
  message?: { text?: string; blocks?: unknown[]; user?: string; thread_ts?: string };
  /** The thread the clicked message is a reply in (Slack puts it in `container.thread_ts`, ephemeral or not). */
  thread_ts?: string;
  is_ephemeral?: boolean;
  /** Actions in a modal or the Home tab: the view they happened in (container becomes `view`). */
  view?: Record<string, unknown>;
  response_url?: string;
  trigger_id?: string;
  container?: Record<string, unknown>;
  state?: { values: Record<string, Record<string, unknown>> };
}

export function blockActionPayload(a: BlockActionInput): Record<string, unknown> {
  const team = a.team_id ?? DEFAULT_TEAM;
  const inView = a.view !== undefined;
  const container =
    a.container ??
    (inView
      ? { type: 'view', view_id: a.view?.id }
      : {
          type: 'message',
          message_ts: a.message_ts,
          channel_id: a.channel_id,
          is_ephemeral: a.is_ephemeral ?? false,
          ...(a.thread_ts ? { thread_ts: a.thread_ts } : {}),
        });
  const action: Record<string, unknown> = {
    action_id: a.action_id,
    block_id: a.block_id ?? 'actions',
    type: a.action_type ?? 'button',
    ...(a.action_text !== undefined ? { text: { type: 'plain_text', text: a.action_text, emoji: true } } : {}),
    ...(a.value !== undefined ? { value: a.value } : {}),
    action_ts: actionTs(),
    ...a.action,
  };
  const showMessage = !inView && !a.is_ephemeral && a.message_ts !== undefined;
  return {
    type: 'block_actions',
    user: { id: a.user_id, username: a.user_name ?? a.user_id.toLowerCase(), name: a.user_name ?? a.user_id.toLowerCase(), team_id: team },
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    container,
    trigger_id: a.trigger_id ?? newTriggerId(),
    team: { id: team, domain: TEAM_DOMAIN },
    enterprise: null,
    is_enterprise_install: false,
    ...(a.channel_id ? { channel: { id: a.channel_id, name: a.channel_name ?? 'releases' } } : {}),
    ...(showMessage ? { message: { type: 'message', ts: a.message_ts, ...a.message } } : {}),
    ...(inView ? { view: a.view } : {}),
    state: a.state ?? { values: {} },
    ...(a.response_url ? { response_url: a.response_url } : {}),
    actions: [action],
  };
}

export function sendBlockAction(appUrl: string, signingSecret: string, a: BlockActionInput, opts?: SignOptions): Promise<SignedResponse> {
  const body = new URLSearchParams({ payload: JSON.stringify(blockActionPayload(a)) }).toString();
  return postSigned(appUrl, signingSecret, body, 'application/x-www-form-urlencoded', opts);
}

/** A state value in full, or a string as shorthand for a plain_text_input's value. */
export type SubmittedValue = string | Record<string, unknown>;

export interface ViewSubmissionInput {
  user_id: string;
  user_name?: string;
  team_id?: string;
  /** Required unless `view` (e.g. FakeSlack's view(id).view) carries one. */
  callback_id?: string;
  view_id?: string;
  private_metadata?: string;
  /** block_id -> action_id -> value. */
  values: Record<string, Record<string, SubmittedValue>>;
  /** The opened view to submit (blocks, title, hash… are taken from it). */
  view?: Record<string, unknown>;
  trigger_id?: string;
}

export function viewSubmissionPayload(s: ViewSubmissionInput): Record<string, unknown> {
  const team = s.team_id ?? DEFAULT_TEAM;
  const base = s.view ?? {};
  const id = s.view_id ?? (typeof base.id === 'string' ? base.id : `V0${randomBytes(5).toString('hex').toUpperCase()}`);
  const values = Object.fromEntries(
    Object.entries(s.values).map(([blockId, actions]) => [
      blockId,
      Object.fromEntries(Object.entries(actions).map(([actionId, v]) => [actionId, typeof v === 'string' ? { type: 'plain_text_input', value: v } : v])),
    ]),
  );
  return {
    type: 'view_submission',
    team: { id: team, domain: TEAM_DOMAIN },
    user: { id: s.user_id, username: s.user_name ?? s.user_id.toLowerCase(), name: s.user_name ?? s.user_id.toLowerCase(), team_id: team },
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: s.trigger_id ?? newTriggerId(),
    view: {
      id,
      team_id: team,
      type: 'modal',
      blocks: [],
      title: { type: 'plain_text', text: 'Release ChatOps', emoji: true },
      close: null,
      submit: { type: 'plain_text', text: 'Submit', emoji: true },
      hash: `${Math.floor(Date.now() / 1000)}.sandbox`,
      clear_on_close: false,
      notify_on_close: false,
      previous_view_id: null,
      root_view_id: id,
      app_id: APP_ID,
      external_id: '',
      app_installed_team_id: team,
      bot_id: 'B0CHATOPS',
      ...base,
      private_metadata: s.private_metadata ?? base.private_metadata ?? '',
      callback_id: s.callback_id ?? base.callback_id ?? '',
      state: { values },
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

export function sendViewSubmission(appUrl: string, signingSecret: string, s: ViewSubmissionInput, opts?: SignOptions): Promise<SignedResponse> {
  const body = new URLSearchParams({ payload: JSON.stringify(viewSubmissionPayload(s)) }).toString();
  return postSigned(appUrl, signingSecret, body, 'application/x-www-form-urlencoded', opts);
}

/** An Events API `event_callback` (app_home_opened, message…), JSON as Slack sends it. */
export function sendEvent(
  appUrl: string,
  signingSecret: string,
  event: Record<string, unknown> & { type: string },
  o: { team_id?: string; event_id?: string } & SignOptions = {},
): Promise<SignedResponse> {
  return postSigned(appUrl, signingSecret, eventBody(event, o), 'application/json', o);
}

/** The JSON body of an `event_callback` (the same `event_id` twice is a redelivery). */
export function eventBody(event: Record<string, unknown> & { type: string }, o: { team_id?: string; event_id?: string } = {}): string {
  const team = o.team_id ?? DEFAULT_TEAM;
  return JSON.stringify({
    token: VERIFICATION_TOKEN,
    team_id: team,
    api_app_id: APP_ID,
    event: { event_ts: actionTs(), ...event },
    type: 'event_callback',
    event_id: o.event_id ?? `Ev0${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: team, user_id: 'U0CHATOPS', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  });
}
