import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dueReminders, thresholdFor, type SecretDates } from '../../src/core/reminders/due.js';

const DAY = 86_400_000;
const now = new Date('2026-11-23T09:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * DAY);
const secret = (o: Partial<SecretDates>): SecretDates => ({ repo: 'o/r', secret: 'GHE_TOKEN', maxAgeDays: 365, updatedAt: null, expiresAt: null, ...o });

test('thresholds: more than 30 days left is quiet; then 30, 7, 1; passed is 0', () => {
  assert.equal(thresholdFor(31 * DAY), null);
  assert.equal(thresholdFor(30 * DAY), 30);
  assert.equal(thresholdFor(8 * DAY), 30);
  assert.equal(thresholdFor(7 * DAY), 7);
  assert.equal(thresholdFor(1.5 * DAY), 7);
  assert.equal(thresholdFor(1 * DAY), 1);
  assert.equal(thresholdFor(60_000), 1);
  assert.equal(thresholdFor(0), 0);
  assert.equal(thresholdFor(-5 * DAY), 0);
});

test('by age: 335 days old of 365 is the 30-day reminder; 340 too; 360 the 7-day; 366 overdue', () => {
  const at = (days: number) => dueReminders([secret({ updatedAt: ago(days) })], now)[0];
  assert.equal(dueReminders([secret({ updatedAt: ago(334) })], now).length, 0);
  assert.equal(at(335)?.threshold, 30);
  assert.equal(at(340)?.threshold, 30);
  assert.equal(at(340)?.daysLeft, 25);
  assert.equal(at(360)?.threshold, 7);
  assert.equal(at(364.5)?.threshold, 1);
  assert.equal(at(366)?.threshold, 0);
  assert.equal(at(366)?.basis, 'age');
});

test('after downtime only the most urgent crossed threshold is due, and its key differs from the earlier ones', () => {
  const seen = new Set<string>();
  for (const days of [336, 359, 364.2]) {
    const due = dueReminders([secret({ updatedAt: ago(days) })], now);
    assert.equal(due.length, 1);
    seen.add(due[0]?.key ?? '');
  }
  assert.equal(seen.size, 3, 'one key per threshold: each is sent once');
  const sameDay = dueReminders([secret({ updatedAt: ago(336) })], new Date(now.getTime() + 3600_000));
  assert.ok(seen.has(sameDay[0]?.key ?? ''), 'the same threshold an hour later has the same key');
});

test('a token expiring before the age limit sets the deadline; unknown dates give nothing', () => {
  const due = dueReminders([secret({ updatedAt: ago(10), expiresAt: new Date(now.getTime() + 5 * DAY) })], now);
  assert.equal(due[0]?.basis, 'expiry');
  assert.equal(due[0]?.threshold, 7);
  const onlyExpiry = dueReminders([secret({ expiresAt: new Date(now.getTime() + 20 * DAY) })], now);
  assert.equal(onlyExpiry[0]?.threshold, 30);
  assert.deepEqual(dueReminders([secret({})], now), []);
  const later = dueReminders([secret({ updatedAt: ago(340), expiresAt: new Date(now.getTime() + 200 * DAY) })], now);
  assert.equal(later[0]?.basis, 'age', 'the earlier deadline counts');
});
