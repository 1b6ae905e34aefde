import { z } from 'zod';
import { SlackApiError } from '../errors.js';

/** The slice of Slack's Web API this needs (Bolt's client satisfies it). */
export interface UsergroupsClient {
  usergroups: { users: { list(args: { usergroup: string }): Promise<{ ok?: boolean; users?: string[] }> } };
}

const Members = z.array(z.string());

/**
 * Who may do what: `access.*` lists user IDs and user-group IDs. Group members are
 * fetched with usergroups.users.list and cached for a few minutes (a cache, not
 * state: losing it costs one call per group).
 */
export class AccessResolver {
  private readonly cache = new Map<string, { members: Set<string>; until: number }>();

  constructor(private readonly ttlMs = 5 * 60_000, private readonly now: () => number = Date.now) {}

  async allowed(client: UsergroupsClient, user: string, principals: readonly string[]): Promise<boolean> {
    if (principals.includes(user)) return true;
    for (const group of principals.filter((p) => p.startsWith('S'))) {
      if ((await this.members(client, group)).has(user)) return true;
    }
    return false;
  }

  /** Forget a group's members (e.g. on subteam_members_changed). */
  invalidate(group?: string): void {
    if (group) this.cache.delete(group);
    else this.cache.clear();
  }

  private async members(client: UsergroupsClient, group: string): Promise<Set<string>> {
    const hit = this.cache.get(group);
    if (hit && hit.until > this.now()) return hit.members;
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
}
