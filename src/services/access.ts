import { z } from 'zod';
import { SlackApiError } from '../errors.js';

/** The slice of Slack's Web API this needs (Bolt's client satisfies it). */
export interface UsergroupsClient {
  usergroups: { users: { list(args: { usergroup: string }): Promise<{ ok?: boolean; users?: string[] }> } };
  /** WebClient's events: `rate_limited` (seconds to wait, { url }) says a call is waiting out a 429. */
  on?(event: 'rate_limited', listener: (retrySec: number, info: { url?: string }) => void): unknown;
  off?(event: 'rate_limited', listener: (retrySec: number, info: { url?: string }) => void): unknown;
}

const Members = z.array(z.string());
const LOOKUP_METHOD = 'usergroups.users.list';

/**
 * Who may do what: `access.*` lists user IDs and user-group IDs. Group members are
 * fetched with usergroups.users.list and cached for a few minutes (a cache, not
 * state: losing it costs one call per group). Lookups of one group share one call.
 */
export class AccessResolver {
  private readonly cache = new Map<string, { members: Set<string>; until: number }>();
  private readonly inflight = new Map<string, Promise<Set<string>>>();

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * `deadlineMs`: how long the answer may take (a modal has Slack's 3 s). A lookup that
   * would take longer, typically one waiting out Slack's 429, gives up with a
   * SlackApiError saying so; it carries on in the background and fills the cache,
   * so asking again shortly after is answered at once.
   */
  async allowed(client: UsergroupsClient, user: string, principals: readonly string[], o: { deadlineMs?: number } = {}): Promise<boolean> {
    if (principals.includes(user)) return true;
    const started = performance.now();
    for (const group of principals.filter((p) => p.startsWith('S'))) {
      const left = o.deadlineMs === undefined ? undefined : o.deadlineMs - (performance.now() - started);
      if ((await this.members(client, group, left)).has(user)) return true;
    }
    return false;
  }

  /** Forget a group's members (e.g. on subteam_members_changed). */
  invalidate(group?: string): void {
    if (group) this.cache.delete(group);
    else this.cache.clear();
  }

  private members(client: UsergroupsClient, group: string, deadlineMs: number | undefined): Promise<Set<string>> {
    const hit = this.cache.get(group);
    if (hit && hit.until > this.now()) return Promise.resolve(hit.members);
    let lookup = this.inflight.get(group);
    if (!lookup) {
      lookup = this.fetch(client, group).finally(() => this.inflight.delete(group));
      this.inflight.set(group, lookup);
    }
    return deadlineMs === undefined ? lookup : this.within(client, group, lookup, deadlineMs);
  }

  private async fetch(client: UsergroupsClient, group: string): Promise<Set<string>> {
    let users: string[];
    try {
      const res = await client.usergroups.users.list({ usergroup: group });
      users = Members.parse(res.users ?? []);
    } catch (e) {
      throw new SlackApiError(`I could not read the members of the user group <!subteam^${group}> to check your access.`, { cause: e });
    }
    const members = new Set(users);
    this.cache.set(group, { members, until: this.now() + this.ttlMs });
    return members;
  }

  /** The lookup, or a SlackApiError once it cannot answer within `ms`: at once when Slack asks for a longer wait. */
  private within(client: UsergroupsClient, group: string, lookup: Promise<Set<string>>, ms: number): Promise<Set<string>> {
    return new Promise<Set<string>>((resolve, reject) => {
      const giveUp = (why: string) => {
        cleanup();
        reject(new SlackApiError(`Slack ${why}, so I could not check your access through the user group <!subteam^${group}> in time.`));
      };
      const limited = (s: number) => `asked me to wait ${s} s before reading user groups (rate limit)`;
      let waitSec: number | null = null;
      const onLimited = (retrySec: number, info: { url?: string }) => {
        if (!info.url?.includes(LOOKUP_METHOD)) return;
        waitSec = retrySec;
        if (retrySec * 1000 >= ms - (performance.now() - started)) giveUp(limited(retrySec));
      };
      const started = performance.now();
      const timer = setTimeout(() => giveUp(waitSec === null ? 'did not answer' : limited(waitSec)), Math.max(0, ms));
      const cleanup = () => {
        clearTimeout(timer);
        client.off?.('rate_limited', onLimited);
      };
      client.on?.('rate_limited', onLimited);
      lookup.then(
        (m) => {
          cleanup();
          resolve(m);
        },
        (e: unknown) => {
          cleanup();
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }
}
