import { mirrorPart } from './compareRefs.js';
import type { SyncFacts } from './facts.js';
import { buildHeadline } from './headline.js';
import { secretToRotate } from './hosts.js';
import type { SyncReport } from './reportSchema.js';
import { runPart } from './runPart.js';
import { secretAges } from './secretAges.js';

export { SyncReport } from './reportSchema.js';

/** Everything /sync-status shows, from what was fetched; pure, `now` only dates the report. */
export function buildSyncReport(facts: SyncFacts, now: Date): SyncReport {
  const secrets = secretAges(facts.configuredSecrets, facts.secrets, facts.mirror.host, now);
  const rotate = secretToRotate(facts.configuredSecrets, facts.mirror.host);
  const run = runPart(facts, now, {
    repoName: facts.repo.name,
    github: facts.repo.github,
    mirrorHost: facts.mirror.host,
    mirrorRepo: facts.mirror.repo,
    mirrorWebUrl: facts.mirror.webUrl,
    secret: rotate,
    secretStatus: rotate ? (secrets.items.find((s) => s.name === rotate.name) ?? null) : null,
  });
  const mirrorCheck = mirrorPart(facts.githubRefs, facts.mirrorRefs, {
    github: facts.repo.webUrl,
    mirror: facts.mirror.webUrl,
  });
  const workflow = String(facts.workflow);
  const report: SyncReport = {
    version: 1,
    generatedAt: now.toISOString(),
    repo: { ...facts.repo },
    mirror: { ...facts.mirror },
    workflow,
    job: facts.job,
    headline: buildHeadline({ repoName: facts.repo.name, workflow, job: facts.job, run, mirrorCheck, secrets }),
    run,
    mirrorCheck,
    ...(facts.mirrorCheckedAt ? { mirrorCheckedAt: facts.mirrorCheckedAt } : {}),
    secrets,
  };
  return report;
}
