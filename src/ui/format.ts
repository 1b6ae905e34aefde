import { mrkdwnEscape } from './blocks.js';

/** Small text formatters shared by every message; pure, times passed in. */

/** First 7 characters of a commit SHA, as GitHub shows it. */
export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * `3m 12s`, `45s`, `2h 5m`, `3d 4h`: the two largest units, the second dropped when zero.
 * `coarse` keeps only the largest ("running for 2m").
 */
export function duration(ms: number, o: { coarse?: boolean } = {}): string {
  if (!Number.isFinite(ms) || ms < 0) return '0s';
  const units: Array<[number, string]> = [
    [DAY, 'd'],
    [HOUR, 'h'],
    [MINUTE, 'm'],
    [SECOND, 's'],
  ];
  const first = units.findIndex(([size]) => ms >= size);
  if (first === -1) return '0s';
  const [size, unit] = units[first] as [number, string];
  const major = Math.floor(ms / size);
  const next = units[first + 1];
  if (o.coarse || !next) return `${major}${unit}`;
  const minor = Math.floor((ms - major * size) / next[0]);
  return minor > 0 ? `${major}${unit} ${minor}${next[1]}` : `${major}${unit}`;
}

/** `just now`, `5 minutes ago`, `in 3 days`. */
export function relativeTime(iso: string, now: Date): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const diff = now.getTime() - t;
  const abs = Math.abs(diff);
  if (abs < MINUTE) return 'just now';
  const [size, unit] =
    abs < HOUR ? [MINUTE, 'minute'] : abs < DAY ? [HOUR, 'hour'] : abs < 30 * DAY ? [DAY, 'day'] : abs < 365 * DAY ? [30 * DAY, 'month'] : [365 * DAY, 'year'];
  const n = Math.floor(abs / size);
  const phrase = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return diff >= 0 ? `${phrase} ago` : `in ${phrase}`;
}

/** `2026-01-27 10:00 UTC`: what clients that cannot localise show. */
export function utcDate(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * mrkdwn for a date Slack shows in each reader's time zone ("Yesterday at 10:00"), with a
 * UTC fallback. Unparsable input comes back as escaped text.
 */
export function slackDate(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return mrkdwnEscape(iso);
  return `<!date^${Math.floor(t / 1000)}^{date_short_pretty} {time}|${utcDate(iso)}>`;
}
