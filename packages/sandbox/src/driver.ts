import type { FakeSlack } from '@chatops/fake-slack/fakeSlack.js';
import { sendBlockAction, sendEvent, sendSlashCommand, sendViewSubmission, type SubmittedValue } from '@chatops/fake-slack/signedRequests.js';
import type { StoredMessage, StoredView } from '@chatops/fake-slack/workspace.js';

/**
 * What Slack's own client does for a person, for the sandbox page and the tour:
 * turns "alice typed /release v0.1.0b39" or "bob clicked Approve" into the signed
 * request Slack would send the bot, and shows each person what Slack would show
 * them (the channel, threads, their own ephemeral messages, their open modals).
 * Everything reaches the bot over HTTP, signed, exactly as from Slack.
 */

export interface ThreadedMessage extends StoredMessage {
  /** Replies visible to this person, oldest first. */
  replies: StoredMessage[];
}

export interface OpenModal {
  id: string;
  view: Record<string, unknown>;
  /** Errors the bot answered a submit with: block_id -> message. */
  errors: Record<string, string>;
}

export interface Screen {
  user: string;
  messages: ThreadedMessage[];
  /** The modal stack, top last (Slack shows the top one). */
  modals: OpenModal[];
  /** The app's Home tab as the bot last published it for this person (views.publish), if ever. */
  home: Record<string, unknown> | null;
}

export type DriverResult = { ok: true; status: number; note?: string } | { ok: false; status: number; error: string };

export class SlackDriver {
  /** Modals each person has open, bottom first. */
  private readonly stacks = new Map<string, string[]>();
  private readonly errors = new Map<string, Record<string, string>>();
  /** Told one line per request sent to the bot, for the terminal's activity log (which sanitizes it). */
  onRequest: (line: string) => void = () => {};

  constructor(
    readonly slack: FakeSlack,
    readonly appUrl: string,
    readonly signingSecret: string,
    readonly channel: string,
  ) {}

  /**
   * A plain message typed into the composer: posted in the channel as this person, and
   * delivered to the bot as Slack's `message` event (message.channels), so leak
   * detection sees what a pasted token looks like.
   */
  async message(user: string, text: string, o: { threadTs?: string } = {}): Promise<DriverResult> {
    if (!text.trim()) return { ok: false, status: 0, error: 'Type a message or a slash command' };
    const ws = this.slack.workspace;
    const m = ws.addMessage(this.channel, { ts: ws.nextTs(), user, text, ...(o.threadTs ? { thread_ts: o.threadTs } : {}) });
    const event = { type: 'message', channel: this.channel, channel_type: 'channel', user, text, ts: m.ts, ...(o.threadTs ? { thread_ts: o.threadTs } : {}) };
    const res = await sendEvent(this.appUrl, this.signingSecret, event, { team_id: ws.teamId });
    this.onRequest(`${this.nameOf(user)} wrote "${text}" → HTTP ${res.status}`);
    if (res.status !== 200) return { ok: false, status: res.status, error: `the bot answered the message event with HTTP ${res.status}` };
    return { ok: true, status: res.status };
  }

  /** The person opens the app's Home tab: Slack sends `app_home_opened`; the bot answers with views.publish. */
  async openHome(user: string): Promise<DriverResult> {
    const ws = this.slack.workspace;
    const res = await sendEvent(
      this.appUrl,
      this.signingSecret,
      { type: 'app_home_opened', user, channel: `D0${user.slice(1, 10)}`, tab: 'home' },
      { team_id: ws.teamId },
    );
    if (res.status !== 200) return { ok: false, status: res.status, error: `the bot answered app_home_opened with HTTP ${res.status}` };
    return { ok: true, status: res.status };
  }

  /** A line typed into the composer: `/command text`. Plain messages go through `message`. */
  async command(user: string, line: string): Promise<DriverResult> {
    const m = /^\s*(\/[a-z][a-z0-9_-]*)(?:\s+([\s\S]*))?$/i.exec(line);
    if (!m?.[1]) return { ok: false, status: 0, error: 'Type a slash command, e.g. /sync-status' };
    const command = m[1].toLowerCase();
    const text = (m[2] ?? '').trim();
    const trigger = this.slack.triggerId(user);
    const responseUrl = this.slack.responseUrl({ channel: this.channel, user });
    const res = await sendSlashCommand(this.appUrl, this.signingSecret, {
      command,
      text,
      user_id: user,
      channel_id: this.channel,
      response_url: responseUrl,
      trigger_id: trigger,
    });
    this.onRequest(`${this.nameOf(user)} typed ${command}${text ? ` ${text}` : ''} → HTTP ${res.status}`);
    if (res.status !== 200)
      return { ok: false, status: res.status, error: `Slack would say: "${command} failed with the error \\"dispatch_failed\\"" (HTTP ${res.status})` };
    // An ack with a body is shown to the person alone, as Slack does.
    this.showAck(user, res.json ?? res.body);
    return { ok: true, status: res.status };
  }

  /** A click on a button of a message (its ts) or of an open modal (its view id). */
  async click(user: string, o: { messageTs?: string; viewId?: string; actionId: string; value?: string; blockId?: string }): Promise<DriverResult> {
    const trigger = this.slack.triggerId(user);
    let res;
    if (o.viewId) {
      const v = this.slack.view(o.viewId);
      if (!v) return { ok: false, status: 0, error: 'That modal is gone.' };
      res = await sendBlockAction(this.appUrl, this.signingSecret, {
        user_id: user,
        action_id: o.actionId,
        ...(o.value !== undefined ? { value: o.value } : {}),
        ...(o.blockId ? { block_id: o.blockId } : {}),
        view: v.view,
        trigger_id: trigger,
      });
    } else {
      const m = o.messageTs ? this.slack.workspace.findMessage(this.channel, o.messageTs) : undefined;
      if (!m) return { ok: false, status: 0, error: 'That message is gone.' };
      if (m.ephemeralTo && m.ephemeralTo !== user) return { ok: false, status: 0, error: 'Only its recipient sees that message.' };
      const responseUrl = this.slack.responseUrl({ channel: this.channel, user, messageTs: m.ts });
      const ephemeral = Boolean(m.ephemeralTo);
      res = await sendBlockAction(this.appUrl, this.signingSecret, {
        user_id: user,
        action_id: o.actionId,
        ...(o.value !== undefined ? { value: o.value } : {}),
        ...(o.blockId ? { block_id: o.blockId } : {}),
        channel_id: this.channel,
        message_ts: m.ts,
        ...(m.thread_ts && m.thread_ts !== m.ts ? { thread_ts: m.thread_ts } : {}),
        is_ephemeral: ephemeral,
        ...(ephemeral
          ? {}
          : {
              message: {
                ...(m.text !== undefined ? { text: m.text } : {}),
                ...(m.blocks ? { blocks: m.blocks } : {}),
                user: m.user,
                ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
              },
            }),
        response_url: responseUrl,
        trigger_id: trigger,
      });
    }
    this.onRequest(`${this.nameOf(user)} clicked ${o.actionId}${o.viewId ? ' in a modal' : ''} → HTTP ${res.status}`);
    if (res.status !== 200) return { ok: false, status: res.status, error: `the bot answered HTTP ${res.status}` };
    return { ok: true, status: res.status };
  }

  /** Submit of the top modal, with the values typed: block_id -> action_id -> value. */
  async submit(user: string, viewId: string, values: Record<string, Record<string, SubmittedValue>>): Promise<DriverResult> {
    const v = this.slack.view(viewId);
    if (!v || !this.modalIds(user).includes(viewId)) return { ok: false, status: 0, error: 'That modal is not open.' };
    const res = await sendViewSubmission(this.appUrl, this.signingSecret, { user_id: user, view: v.view, values, trigger_id: this.slack.triggerId(user) });
    if (res.status !== 200) return { ok: false, status: res.status, error: `the bot answered HTTP ${res.status}` };
    const answer = (res.json ?? {}) as { response_action?: string; errors?: Record<string, string>; view?: Record<string, unknown> };
    const callback = typeof v.view.callback_id === 'string' ? v.view.callback_id : v.id;
    this.onRequest(`${this.nameOf(user)} submitted the ${callback} modal → HTTP ${res.status}${answer.response_action === 'errors' ? ', field errors' : ''}`);
    this.errors.delete(viewId);
    if (answer.response_action === 'errors') {
      this.errors.set(viewId, answer.errors ?? {});
      return { ok: true, status: res.status, note: 'errors' };
    }
    if (answer.response_action === 'update' && answer.view) {
      this.slack.workspace.saveView({ ...v, hash: this.slack.workspace.newHash(), view: { ...v.view, ...answer.view, id: v.id } });
      return { ok: true, status: res.status, note: 'updated' };
    }
    if (answer.response_action === 'clear') {
      this.stacks.set(user, []);
      return { ok: true, status: res.status, note: 'closed' };
    }
    // No response_action: Slack closes the modal (and keeps any the bot opened meanwhile).
    this.stacks.set(
      user,
      this.modalIds(user).filter((id) => id !== viewId),
    );
    return { ok: true, status: res.status, note: 'closed' };
  }

  /** The ✕ of a modal. */
  close(user: string, viewId: string): void {
    this.stacks.set(
      user,
      this.modalIds(user).filter((id) => id !== viewId),
    );
    this.errors.delete(viewId);
  }

  /** What this person sees now. */
  screen(user: string): Screen {
    const visible = (m: StoredMessage) => !m.ephemeralTo || m.ephemeralTo === user;
    const all = this.slack.messages(this.channel).filter(visible);
    const top = all.filter((m) => !m.thread_ts || m.thread_ts === m.ts);
    const messages = top.map((m) => ({ ...m, replies: all.filter((r) => r.thread_ts === m.ts && r.ts !== m.ts) }));
    // A reply whose parent this person cannot see (an ephemeral one's thread) is shown on its own.
    const orphans = all.filter((r) => r.thread_ts && r.thread_ts !== r.ts && !top.some((m) => m.ts === r.thread_ts)).map((m) => ({ ...m, replies: [] }));
    const modals = this.modalIds(user)
      .map((id) => this.slack.view(id))
      .filter((v): v is StoredView => v !== undefined)
      .map((v) => ({ id: v.id, view: v.view, errors: this.errors.get(v.id) ?? {} }));
    const home = this.slack.workspace.homeView(user)?.view ?? null;
    return { user, messages: [...messages, ...orphans].sort((a, b) => Number(a.ts) - Number(b.ts)), modals, home };
  }

  modalIds(user: string): string[] {
    this.adoptOpenedModals(user);
    return [...(this.stacks.get(user) ?? [])];
  }

  private nameOf(user: string): string {
    return this.slack.workspace.user(user)?.name ?? user;
  }

  private showAck(user: string, body: unknown): void {
    const ack =
      typeof body === 'object' && body !== null
        ? (body as { text?: unknown; blocks?: unknown })
        : typeof body === 'string' && body.trim()
          ? { text: body }
          : null;
    if (!ack || (typeof ack.text !== 'string' && !Array.isArray(ack.blocks))) return;
    const ws = this.slack.workspace;
    ws.addMessage(this.channel, {
      ts: ws.nextTs(),
      user: ws.botUserId,
      ...(typeof ack.text === 'string' ? { text: ack.text } : {}),
      ...(Array.isArray(ack.blocks) ? { blocks: ack.blocks as unknown[] } : {}),
      ephemeralTo: user,
    });
  }

  /**
   * Modals the bot opened for this person (views.open with a trigger of theirs) go on
   * top of their stack the first time they are seen. Looked for on every read: the
   * bot often opens a modal after its ack has already answered the click.
   */
  private adoptOpenedModals(user: string): void {
    const opened = this.slack.workspace
      .allViews()
      .filter((v) => v.userId === user && v.view.type === 'modal' && !this.seen.has(v.id))
      .map((v) => v.id);
    for (const id of opened) this.seen.add(id);
    if (opened.length) this.stacks.set(user, [...(this.stacks.get(user) ?? []), ...opened]);
  }

  private readonly seen = new Set<string>();
}
