/**
 * The Web API methods the bot uses, answering as Slack does: HTTP 200 with
 * `{ ok: true, … }` or `{ ok: false, error, … }`. Argument problems that Slack
 * reports as `invalid_arguments` carry `response_metadata.messages` (`[ERROR] …`).
 */
import { MAX_MESSAGE_TEXT, validateBlocks, validateView } from './blockKitLimits.js';
import type { StoredMessage, StoredView, Workspace } from './workspace.js';

export type ApiResult = { ok: boolean; error?: string; [key: string]: unknown };
export type Args = Record<string, unknown>;
export type MethodHandler = (ws: Workspace, args: Args) => ApiResult;

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** Form-encoded booleans arrive as 'true' / '1'. */
export function flag(v: unknown): boolean {
  return v === true || v === 'true' || v === 1 || v === '1';
}

function fail(error: string, extra: Args = {}): ApiResult {
  return { ok: false, error, ...extra };
}

function invalidArguments(problems: string[]): ApiResult {
  return fail('invalid_arguments', { response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } });
}

function missing(field: string): ApiResult {
  return invalidArguments([`missing required field: ${field}`]);
}

/** Checks a message's text/blocks as chat.* does; null when acceptable. */
export function messageProblem(args: Args): ApiResult | null {
  const text = str(args.text);
  const blocks = args.blocks;
  if (blocks !== undefined) {
    if (!Array.isArray(blocks)) return fail('invalid_blocks_format');
    const problems = validateBlocks(blocks, 'message');
    if (problems.length > 0) {
      return fail('invalid_blocks', { errors: problems, response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } });
    }
  }
  if (text !== undefined && text.length > MAX_MESSAGE_TEXT) return fail('msg_too_long');
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  const hasAttachments = Array.isArray(args.attachments) && args.attachments.length > 0;
  if (!text && !hasBlocks && !hasAttachments) return fail('no_text');
  return null;
}

export function messageOutput(ws: Workspace, m: StoredMessage): Args {
  return {
    type: 'message',
    user: m.user,
    bot_id: ws.botId,
    app_id: ws.appId,
    team: ws.teamId,
    text: m.text ?? '',
    ...(m.blocks ? { blocks: m.blocks } : {}),
    ts: m.ts,
    ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
    ...(m.edited ? { edited: { user: m.user, ts: m.ts } } : {}),
  };
}

function content(args: Args): Pick<StoredMessage, 'text' | 'blocks'> {
  const text = str(args.text);
  return { ...(text !== undefined ? { text } : {}), ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}) };
}

const postMessage: MethodHandler = (ws, args) => {
  const channel = str(args.channel);
  if (!channel) return fail('channel_not_found');
  const problem = messageProblem(args);
  if (problem) return problem;
  const threadTs = str(args.thread_ts);
  const m = ws.addMessage(channel, {
    ts: ws.nextTs(),
    user: ws.botUserId,
    ...content(args),
    ...(threadTs ? { thread_ts: threadTs } : {}),
    ...(threadTs && flag(args.reply_broadcast) ? { reply_broadcast: true } : {}),
  });
  return { ok: true, channel, ts: m.ts, message: messageOutput(ws, m) };
};

const postEphemeral: MethodHandler = (ws, args) => {
  const channel = str(args.channel);
  if (!channel) return fail('channel_not_found');
  const user = str(args.user);
  if (!user) return missing('user');
  const problem = messageProblem(args);
  if (problem) return problem;
  const threadTs = str(args.thread_ts);
  const m = ws.addMessage(channel, {
    ts: ws.nextTs(),
    user: ws.botUserId,
    ...content(args),
    ...(threadTs ? { thread_ts: threadTs } : {}),
    ephemeralTo: user,
  });
  return { ok: true, message_ts: m.ts };
};

const update: MethodHandler = (ws, args) => {
  const channel = str(args.channel);
  const ts = str(args.ts);
  if (!channel) return fail('channel_not_found');
  if (!ts) return fail('message_not_found');
  const m = ws.findMessage(channel, ts);
  // Ephemeral messages cannot be updated through chat.update (only via response_url).
  if (!m || m.ephemeralTo) return fail('message_not_found');
  if (m.user !== ws.botUserId) return fail('cant_update_message');
  const problem = messageProblem(args);
  if (problem) return problem;
  const next = content(args);
  if (next.text !== undefined) m.text = next.text;
  if (args.blocks !== undefined) m.blocks = next.blocks ?? [];
  m.edited = true;
  return { ok: true, channel, ts, text: m.text ?? '', message: messageOutput(ws, m) };
};

function viewOutput(ws: Workspace, id: string, hash: string, input: Args, previous?: StoredView): Args {
  const prev = previous?.view;
  return {
    id,
    team_id: ws.teamId,
    type: input.type,
    blocks: input.blocks ?? [],
    private_metadata: input.private_metadata ?? '',
    callback_id: input.callback_id ?? '',
    state: { values: {} },
    hash,
    title: input.title ?? null,
    clear_on_close: flag(input.clear_on_close),
    notify_on_close: flag(input.notify_on_close),
    close: input.close ?? null,
    submit: input.submit ?? null,
    previous_view_id: prev?.previous_view_id ?? null,
    root_view_id: prev?.root_view_id ?? id,
    app_id: ws.appId,
    external_id: input.external_id ?? '',
    app_installed_team_id: ws.teamId,
    bot_id: ws.botId,
  };
}

function viewArg(args: Args, surface: 'modal' | 'home'): { view: Args } | { error: ApiResult } {
  if (args.view === undefined) return { error: missing('view') };
  if (typeof args.view !== 'object' || args.view === null) return { error: invalidArguments(['must be a view object [json-pointer:/view]']) };
  const problems = validateView(args.view, surface);
  if (problems.length > 0) return { error: invalidArguments(problems) };
  return { view: args.view as Args };
}

function openOrPush(ws: Workspace, args: Args): ApiResult {
  const trigger = str(args.trigger_id);
  if (!trigger) return missing('trigger_id');
  const parsed = viewArg(args, 'modal');
  if ('error' in parsed) return parsed.error;
  const externalId = str(parsed.view.external_id);
  if (externalId && ws.viewByExternalId(externalId)) return fail('duplicate_external_id');
  if (!ws.exchangeTrigger(trigger)) return fail('exchanged_trigger_id');
  const id = ws.nextId('V');
  const hash = ws.newHash();
  const userId = ws.triggerUser(trigger);
  const stored = ws.saveView({ id, hash, ...(userId ? { userId } : {}), view: viewOutput(ws, id, hash, parsed.view) });
  return { ok: true, view: stored.view };
}

const viewsUpdate: MethodHandler = (ws, args) => {
  const viewId = str(args.view_id);
  const externalId = str(args.external_id);
  if (!viewId && !externalId) return invalidArguments(['must provide view_id or external_id']);
  const existing = viewId ? ws.view(viewId) : ws.viewByExternalId(externalId ?? '');
  if (!existing) return fail('not_found');
  const surface = existing.view.type === 'home' ? 'home' : 'modal';
  const parsed = viewArg(args, surface);
  if ('error' in parsed) return parsed.error;
  const hash = str(args.hash);
  if (hash !== undefined && hash !== existing.hash) return fail('hash_conflict');
  const newHash = ws.newHash();
  const stored = ws.saveView({ ...existing, hash: newHash, view: viewOutput(ws, existing.id, newHash, parsed.view, existing) });
  return { ok: true, view: stored.view };
};

const viewsPublish: MethodHandler = (ws, args) => {
  const userId = str(args.user_id);
  if (!userId) return missing('user_id');
  const parsed = viewArg(args, 'home');
  if ('error' in parsed) return parsed.error;
  const existing = ws.homeView(userId);
  const hash = str(args.hash);
  if (existing && hash !== undefined && hash !== existing.hash) return fail('hash_conflict');
  const id = existing?.id ?? ws.nextId('V');
  const newHash = ws.newHash();
  const stored: StoredView = { id, hash: newHash, userId, view: viewOutput(ws, id, newHash, parsed.view, existing) };
  ws.setHomeView(userId, stored);
  return { ok: true, view: stored.view };
};

const usergroupsUsersList: MethodHandler = (ws, args) => {
  const id = str(args.usergroup);
  if (!id) return missing('usergroup');
  const users = ws.usergroupUsers(id);
  if (!users) return fail('no_such_subteam');
  return { ok: true, users: [...users] };
};

const usersInfo: MethodHandler = (ws, args) => {
  const id = str(args.user);
  if (!id) return missing('user');
  // Any well-formed user ID exists in the sandbox unless registered otherwise with addUser.
  const known = ws.user(id) ?? (/^[UW][A-Z0-9]{2,}$/.test(id) ? { id, name: id.toLowerCase() } : undefined);
  if (!known) return fail('user_not_found');
  const realName = known.real_name ?? known.name;
  return {
    ok: true,
    user: {
      id: known.id,
      team_id: ws.teamId,
      name: known.name,
      deleted: false,
      real_name: realName,
      tz: known.tz ?? 'Europe/Oslo',
      is_admin: known.is_admin ?? false,
      is_owner: false,
      is_bot: known.is_bot ?? false,
      is_app_user: false,
      profile: { real_name: realName, display_name: known.name, team: ws.teamId },
    },
  };
};

const authTest: MethodHandler = (ws) => {
  return {
    ok: true,
    url: `https://${ws.teamDomain}.slack.com/`,
    team: ws.teamDomain,
    user: 'release-chatops',
    team_id: ws.teamId,
    user_id: ws.botUserId,
    bot_id: ws.botId,
    is_enterprise_install: false,
  };
};

export const METHODS: Record<string, MethodHandler> = {
  'auth.test': authTest,
  'chat.postMessage': postMessage,
  'chat.postEphemeral': postEphemeral,
  'chat.update': update,
  'views.open': openOrPush,
  'views.push': openOrPush,
  'views.update': viewsUpdate,
  'views.publish': viewsPublish,
  'usergroups.users.list': usergroupsUsersList,
  'users.info': usersInfo,
};
