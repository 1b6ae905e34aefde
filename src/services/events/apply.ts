import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { AppDeps } from '../../deps.js';
import type { ResolvedRepo } from '../../config/load.js';
import { factsOf, type Fact } from '../../core/events/facts.js';
import { parseReleaseTag } from '../../core/release/tag.js';
import type { JobHandler } from '../../worker/runner.js';
import { APPLY_KIND, configuredRepo } from './intake.js';
import { isWorkflow, onSyncRunCompleted } from './syncAlerts.js';
import { wakeFollowers } from './wakeFollowers.js';
import { recordSyncFindings } from './syncFindings.js';
import { onReleaseRunSeen, onTagSeen } from './tagAlerts.js';
import { announceReleaseRun } from './releaseAnnouncements.js';
import { homeChanged } from '../homeRepublish.js';

const Payload = z.strictObject({ repo: z.string().min(3) });
const BATCH = 50;
/**
 * The job stays as the repository's queue: after a batch it looks again this much later,
 * and every new delivery moves it forward (intake.ts). A delivery stored while the job
 * was finishing its last look is so taken at the latest then, never left behind.
 */
const IDLE_LOOK_SECONDS = 60;

/**
 * Applies one repository's stored deliveries to the projection, oldest first, one
 * replica at a time (one unfinished job per repository, leased): the projection sees
 * them in the order GitHub sent them. A delivery is marked applied only after its
 * effects, so a replica that dies midway leaves it to the one that takes the job over.
 */
export function eventsApplier(deps: AppDeps, client: WebClient): JobHandler {
  return {
    kind: APPLY_KIND,
    leaseSeconds: 30,
    async run(job, ctx) {
      const { repo: name } = Payload.parse(job.payload);
      const repo = configuredRepo(deps, name);
      const store = deps.store.githubEvents;
      for (;;) {
        const batch = await store.pending(name, BATCH);
        for (const d of batch) {
          ctx.signal.throwIfAborted();
          if (repo) for (const fact of factsOf(d.event, d.payload)) await applyFact(deps, client, repo, fact);
          ctx.signal.throwIfAborted();
          await store.markApplied(d.seq, deps.now());
        }
        if (batch.length < BATCH) break;
      }
      return { kind: 'again', at: new Date(deps.now().getTime() + IDLE_LOOK_SECONDS * 1000) };
    },
  };
}

/** One fact into the projection, and what it makes the bot say. Applying it twice changes nothing. */
export async function applyFact(deps: AppDeps, client: WebClient, repo: ResolvedRepo, fact: Fact): Promise<void> {
  const store = deps.store.githubEvents;
  switch (fact.kind) {
    case 'run': {
      const r = fact.run;
      const wroteRun = await store.upsertRun({ repo: repo.github, ...r });
      const release = repo.release;
      if (release && isWorkflow(r, release.workflow) && r.headBranch && parseReleaseTag(r.headBranch).ok) {
        await store.setTagReleaseRun(repo.github, r.headBranch, r.runId);
        await onReleaseRunSeen(deps, client, repo, r);
      }
      const syncCompleted = r.status === 'completed' && repo.sync && isWorkflow(r, repo.sync.workflow);
      if (syncCompleted) {
        // First what /sync-status reports from (the log read once), then the alert, which reads the same findings.
        const job = await recordSyncFindings(deps, repo, r);
        await onSyncRunCompleted(deps, client, repo, r, job);
      }
      await announceReleaseRun(deps, client, repo, r);
      // What the Home tab shows: the last sync, and release runs starting and ending.
      if (wroteRun && (syncCompleted || (release && isWorkflow(r, release.workflow)))) await homeChanged(deps);
      if (wroteRun) await wakeFollowers(deps, repo, r.runId);
      return;
    }
    case 'job':
      if (await store.upsertJob({ repo: repo.github, ...fact.job })) await wakeFollowers(deps, repo, fact.job.runId);
      return;
    case 'tag': {
      const firstSeen = await store.tagSeen({ repo: repo.github, tag: fact.tag, sha: fact.sha }, deps.now());
      await onTagSeen(deps, repo, fact.tag, firstSeen);
      return;
    }
  }
}
