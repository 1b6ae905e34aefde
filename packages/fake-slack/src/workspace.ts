/**
 * What the fake Slack remembers between calls: the conversation per channel,
 * open views, user groups and users. Kept apart from the HTTP layer so the
 * sandbox UI (and assertions) can read it directly.
 */

export interface StoredMessage {
  ts: string;
  thread_ts?: string;
  /** Author: the bot's user ID for everything the bot posts. */
  user: string;
  text?: string;
  blocks?: unknown[];
  /** Set on ephemeral messages: the only user who sees it. */
  ephemeralTo?: string;
  edited?: boolean;
  reply_broadcast?: boolean;
}

export interface StoredView {
  id: string;
  hash: string;
  /** User the view is shown to (views.open/push: unknown to the fake; views.publish: user_id). */
  userId?: string;
  view: Record<string, unknown>;
}

export interface SlackUser {
  id: string;
  name: string;
  real_name?: string;
  is_admin?: boolean;
  is_bot?: boolean;
  tz?: string;
}

export class Workspace {
  private readonly channels = new Map<string, StoredMessage[]>();
  private readonly viewsById = new Map<string, StoredView>();
  private readonly homeViewIds = new Map<string, string>();
  private readonly groups = new Map<string, string[]>();
  private readonly users = new Map<string, SlackUser>();
  private readonly exchangedTriggers = new Set<string>();
  private tsCounter = 0;
  private idCounter = 0;
  /** The clock message timestamps are read from (the sandbox sets its one clock; default the real one). */
  now: () => number = Date.now;

  constructor(
    readonly teamId: string,
    readonly teamDomain: string,
    readonly botUserId: string,
    readonly botId: string,
    readonly appId: string,
  ) {
    this.users.set(botUserId, { id: botUserId, name: 'release-chatops', real_name: 'Release ChatOps', is_bot: true });
  }

  /** A message timestamp: unique, increasing, in Slack's `seconds.micro` form. */
  nextTs(): string {
    this.tsCounter += 1;
    return `${Math.floor(this.now() / 1000)}.${String(this.tsCounter).padStart(6, '0')}`;
  }

  /** An ID in Slack's shape (`V…`, `S…`), unique within this fake. */
  nextId(prefix: string): string {
    this.idCounter += 1;
    return `${prefix}0${String(this.idCounter).padStart(8, '0')}`;
  }

  messages(channel: string): StoredMessage[] {
    return this.channels.get(channel) ?? [];
  }

  addMessage(channel: string, m: StoredMessage): StoredMessage {
    const list = this.channels.get(channel) ?? [];
    list.push(m);
    this.channels.set(channel, list);
    return m;
  }

  findMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.channels.get(channel)?.find((m) => m.ts === ts);
  }

  deleteMessage(channel: string, ts: string): boolean {
    const list = this.channels.get(channel);
    const i = list?.findIndex((m) => m.ts === ts) ?? -1;
    if (!list || i < 0) return false;
    list.splice(i, 1);
    return true;
  }

  /** Whose interaction a trigger_id came from, when the caller said (sandbox UI). */
  private readonly triggerUsers = new Map<string, string>();

  noteTriggerUser(triggerId: string, user: string): void {
    this.triggerUsers.set(triggerId, user);
  }

  triggerUser(triggerId: string): string | undefined {
    return this.triggerUsers.get(triggerId);
  }

  /** A trigger_id works once, as on Slack (`exchanged_trigger_id` the second time). */
  exchangeTrigger(triggerId: string): boolean {
    if (this.exchangedTriggers.has(triggerId)) return false;
    this.exchangedTriggers.add(triggerId);
    return true;
  }

  newHash(): string {
    return `${Math.floor(Date.now() / 1000)}.${Math.random().toString(36).slice(2, 10)}`;
  }

  saveView(v: StoredView): StoredView {
    this.viewsById.set(v.id, v);
    return v;
  }

  view(id: string): StoredView | undefined {
    return this.viewsById.get(id);
  }

  viewByExternalId(externalId: string): StoredView | undefined {
    return [...this.viewsById.values()].find((v) => v.view.external_id === externalId);
  }

  allViews(): StoredView[] {
    return [...this.viewsById.values()];
  }

  homeView(userId: string): StoredView | undefined {
    const id = this.homeViewIds.get(userId);
    return id ? this.viewsById.get(id) : undefined;
  }

  setHomeView(userId: string, v: StoredView): void {
    this.homeViewIds.set(userId, v.id);
    this.saveView(v);
  }

  usergroupUsers(id: string): string[] | undefined {
    return this.groups.get(id);
  }

  setUsergroup(id: string, users: string[]): void {
    this.groups.set(id, [...users]);
  }

  hasUsergroup(id: string): boolean {
    return this.groups.has(id);
  }

  addUser(u: SlackUser): void {
    this.users.set(u.id, u);
  }

  user(id: string): SlackUser | undefined {
    return this.users.get(id);
  }
}
