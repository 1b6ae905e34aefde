import { z } from 'zod';
import type { SecretConfig } from '../../config/schema.js';
import { parseReleaseTag } from '../release/tag.js';
import { sameHost } from '../sync/hosts.js';

/**
 * The tag-without-release alert (issue 19): a release tag pushed with no run of the
 * release workflow for it within `alerts.tagWithoutRelease` minutes. semantic-release
 * pushes the tag with a token (PAT_TOKEN) because pushes made with GITHUB_TOKEN start no
 * workflow; when that token has expired the tag is there and release.yml never ran.
 */

/** Where a tag's alert is (the stored tag_alerts row). */
export const TagAlertState = z.enum(['scheduled', 'posting', 'posted', 'resolved', 'settled']);
/**
 * `scheduled`: the check is due; `posting`: the alert is being posted (no ts yet);
 * `posted`: it stands with its buttons; `resolved`: the release run came after it and it
 * was edited to say so; `settled`: nothing was, or will be, posted.
 */
export type TagAlertState = z.infer<typeof TagAlertState>;

export const DEFAULT_TAG_WITHOUT_RELEASE_MINUTES = 15;

export type TagCheckPlan =
  { kind: 'schedule'; dueAt: Date } | { kind: 'none'; why: 'not_release_tag' | 'off' | 'no_channel' | 'no_release_workflow' | 'scheduled' | 'not_new' };

/**
 * A tag fact was applied: whether to schedule the check. Only a release tag (the formats
 * `/release` takes), of a repository with a release workflow, a channel and the alert on,
 * the first time it is seen. `firstSeen` false but no row yet means a crash between
 * recording the tag and scheduling its check: it is scheduled still while the tag is new
 * (seen within the alert's minutes); an old tag is never alerted on.
 */
export function planTagCheck(o: {
  tag: string;
  minutes: number;
  hasChannel: boolean;
  hasReleaseWorkflow: boolean;
  firstSeen: boolean;
  scheduled: boolean;
  seenAt: Date;
  now: Date;
}): TagCheckPlan {
  if (!parseReleaseTag(o.tag).ok) return { kind: 'none', why: 'not_release_tag' };
  if (o.minutes <= 0) return { kind: 'none', why: 'off' };
  if (!o.hasReleaseWorkflow) return { kind: 'none', why: 'no_release_workflow' };
  if (!o.hasChannel) return { kind: 'none', why: 'no_channel' };
  if (o.scheduled) return { kind: 'none', why: 'scheduled' };
  const dueAt = new Date(o.seenAt.getTime() + o.minutes * 60_000);
  if (!o.firstSeen && dueAt.getTime() <= o.now.getTime()) return { kind: 'none', why: 'not_new' };
  return { kind: 'schedule', dueAt };
}

export type TagAlertDecision =
  { kind: 'wait'; until: Date } | { kind: 'post'; minutesAgo: number } | { kind: 'none'; why: 'off' | 'released' | 'requested' | 'handled' };

/**
 * The check is due: post the alert unless a release run of the tag is in the projection,
 * a release of it was requested from Slack (its run may not have arrived yet), or the
 * alert was handled (posted, or settled) before. A later due time (the minutes raised
 * since it was scheduled) waits for it.
 */
export function decideTagAlert(o: {
  minutes: number;
  seenAt: Date;
  now: Date;
  state: TagAlertState | null;
  releaseRunSeen: boolean;
  releaseRequested: boolean;
}): TagAlertDecision {
  if (o.state !== null && o.state !== 'scheduled') return { kind: 'none', why: 'handled' };
  if (o.minutes <= 0) return { kind: 'none', why: 'off' };
  if (o.releaseRunSeen) return { kind: 'none', why: 'released' };
  if (o.releaseRequested) return { kind: 'none', why: 'requested' };
  const due = o.seenAt.getTime() + o.minutes * 60_000;
  if (o.now.getTime() < due) return { kind: 'wait', until: new Date(due) };
  return { kind: 'post', minutesAgo: Math.max(1, Math.floor((o.now.getTime() - o.seenAt.getTime()) / 60_000)) };
}

/** What the release run's arrival does to the tag's alert. */
export function onReleaseRunArrived(state: TagAlertState | null): 'edit' | 'settle' | 'none' {
  if (state === 'posted') return 'edit';
  // Still to come: the check finds the run and posts nothing. While posting: the check
  // looks at the tag's release run once its ts is saved, and edits then.
  if (state === 'scheduled') return 'settle';
  return 'none';
}

/**
 * The configured secret whose token pushes the release tags and so starts the release
 * workflow: a personal access token (classic or fine-grained) for the repository's own
 * GitHub host. A deploy key or a token for the mirror's host is not it. Null: none
 * configured (the alert then names no token).
 */
export function releaseTriggerSecret(secrets: readonly SecretConfig[], githubWebUrl: string): string | null {
  const pat = secrets.find((s) => (s.kind === 'classic-pat' || s.kind === 'fine-grained-pat') && sameHost(s.host, githubWebUrl));
  return pat?.name ?? null;
}

/** The *Release now* button's value: the repository and the tag (neither holds a space). */
export function tagAlertValue(ref: { repo: string; tag: string }): string {
  return `${ref.repo} ${ref.tag}`;
}

const TagAlertValue = z
  .string()
  .max(300)
  .regex(/^[^\s/]+\/[^\s/]+ \S+$/);

/** The value back from a click (anything may arrive: the payload is the client's). */
export function parseTagAlertValue(value: unknown): { repo: string; tag: string } | null {
  const p = TagAlertValue.safeParse(value);
  if (!p.success) return null;
  const [repo = '', tag = ''] = p.data.split(' ');
  return parseReleaseTag(tag).ok ? { repo, tag } : null;
}
