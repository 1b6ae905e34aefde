import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { duration, relativeTime, shortSha, slackDate, utcDate } from '../../src/ui/format.js';

describe('format', () => {
  test('shortSha', () => {
    assert.equal(shortSha('a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'), 'a1b2c3d');
  });

  test('duration: two largest units, zero minor unit dropped', () => {
    assert.equal(duration(0), '0s');
    assert.equal(duration(999), '0s');
    assert.equal(duration(45_000), '45s');
    assert.equal(duration(192_000), '3m 12s');
    assert.equal(duration(180_000), '3m');
    assert.equal(duration(2 * 3_600_000 + 5 * 60_000 + 7_000), '2h 5m');
    assert.equal(duration(3 * 86_400_000 + 4 * 3_600_000), '3d 4h');
    assert.equal(duration(-5), '0s');
    assert.equal(duration(Number.NaN), '0s');
  });

  test('duration coarse: largest unit only', () => {
    assert.equal(duration(150_000, { coarse: true }), '2m');
    assert.equal(duration(59_000, { coarse: true }), '59s');
  });

  test('relativeTime', () => {
    const now = new Date('2026-02-01T12:00:00Z');
    assert.equal(relativeTime('2026-02-01T11:59:30Z', now), 'just now');
    assert.equal(relativeTime('2026-02-01T11:55:00Z', now), '5 minutes ago');
    assert.equal(relativeTime('2026-02-01T11:00:00Z', now), '1 hour ago');
    assert.equal(relativeTime('2026-01-29T12:00:00Z', now), '3 days ago');
    assert.equal(relativeTime('2025-11-01T12:00:00Z', now), '3 months ago');
    assert.equal(relativeTime('2024-01-01T12:00:00Z', now), '2 years ago');
    assert.equal(relativeTime('2026-02-04T12:00:00Z', now), 'in 3 days');
    assert.equal(relativeTime('not a date', now), 'not a date');
  });

  test('slackDate: Slack date token with a UTC fallback', () => {
    assert.equal(utcDate('2026-01-27T10:00:01.123Z'), '2026-01-27 10:00 UTC');
    assert.equal(slackDate('2026-01-27T10:00:01Z'), '<!date^1769508001^{date_short_pretty} {time}|2026-01-27 10:00 UTC>');
  });

  test('slackDate of garbage is escaped text, never a broken token', () => {
    assert.equal(slackDate('<script>&'), '&lt;script&gt;&amp;');
  });
});
