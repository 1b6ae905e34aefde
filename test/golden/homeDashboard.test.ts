import { describe } from 'node:test';
import { buildHomeModel, type HomeInput, type HomeRepoInput } from '../../src/core/home/dashboard.js';
import type { ProjectionView } from '../../src/core/sync/projection.js';
import { dateField, field } from './golden.js';
import { goldenCases } from './golden.js';

/**
 * home-dashboard/<case>.input.json: `{ about, now, windowMs, reminders, approvals, repos }`, what
 * services/home.ts loads from the store (times as ISO strings): per repository the bot's last
 * release, the projection's newest release-workflow runs and the bot's releases that may have
 * started them, the sync workflow's projection, the last mirror check, the configured secrets
 * and the runs in progress. <case>.expected.json: the model the Home tab renders.
 */

type Raw = Record<string, unknown>;
const toDate = (v: unknown) => (typeof v === 'string' ? new Date(v) : null);
const runDates = (r: Raw) => ({ ...r, createdAt: toDate(r.createdAt), updatedAt: toDate(r.updatedAt), runStartedAt: toDate(r.runStartedAt) });

function viewOf(raw: Raw | null): ProjectionView | null {
  if (!raw) return null;
  const run = raw.run as Raw | null;
  return {
    run: run && (runDates(run) as unknown as ProjectionView['run']),
    jobs: (raw.jobs as Raw[]).map(
      (j) => ({ ...j, startedAt: toDate(j.startedAt), completedAt: toDate(j.completedAt) }) as unknown as ProjectionView['jobs'][number],
    ),
    findings: (raw.findings as Record<string, unknown> | undefined) ?? {},
    confirmedAt: toDate(raw.confirmedAt),
    pendingDeliveries: Number(raw.pendingDeliveries ?? 0),
  };
}

function repoOf(raw: Raw): HomeRepoInput {
  const release = raw.release as Raw | null;
  const sync = raw.sync as Raw | null;
  const check = raw.check as Raw | null;
  return {
    ...(raw as unknown as HomeRepoInput),
    release: release && ({ ...release, at: toDate(release.at) } as unknown as HomeRepoInput['release']),
    releaseRuns: (raw.releaseRuns as Raw[]).map((r) => runDates(r) as unknown as HomeRepoInput['releaseRuns'][number]),
    botReleases: (raw.botReleases as Raw[]).map(
      (b) => ({ ...b, createdAt: toDate(b.createdAt), dispatchSentAt: toDate(b.dispatchSentAt) }) as unknown as HomeRepoInput['botReleases'][number],
    ),
    sync: sync && ({ ...sync, view: viewOf(sync.view as Raw | null) } as HomeRepoInput['sync']),
    check: check && ({ ...check, checkedAt: toDate(check.checkedAt) } as unknown as HomeRepoInput['check']),
    inProgress: (raw.inProgress as Raw[]).map((r) => runDates(r) as unknown as HomeRepoInput['inProgress'][number]),
  };
}

describe('golden: the App Home dashboard', () => {
  goldenCases(new URL('./home-dashboard/', import.meta.url), (input) => {
    const home: HomeInput = {
      now: dateField(input, 'now'),
      windowMs: Number(field(input, 'windowMs')),
      reminders: field(input, 'reminders') as HomeInput['reminders'],
      approvals: (field(input, 'approvals') as Raw[]).map((a) => ({ ...a, expiresAt: toDate(a.expiresAt) }) as unknown as HomeInput['approvals'][number]),
      repos: (field(input, 'repos') as Raw[]).map(repoOf),
    };
    return buildHomeModel(home);
  });
});
