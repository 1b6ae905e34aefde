import type { SecretConfig } from '../../config/schema.js';
import type { LogDiagnosis } from './diagnoseLog.js';
import { hostName } from './hosts.js';
import type { Diagnosis, DiagnosisKind, SecretStatus } from './reportSchema.js';

/** What a diagnosis means and what to do about it, after seeds/ghe-token-setup.md#troubleshooting. */

export const DIAGNOSIS_LABELS: Record<DiagnosisKind, string> = {
  auth_failed: 'authentication failed',
  push_rejected: 'push rejected by GHE',
  repo_not_found: 'mirror repository not found',
  network: 'GHE could not be reached',
  other: 'unrecognised error',
};

export interface AdviceContext {
  repoName: string;
  github: string;
  mirrorHost: string;
  mirrorRepo: string;
  mirrorWebUrl: string;
  /** The secret the sync pushes with, if one is configured. */
  secret: SecretConfig | null;
  /** Its status on the GitHub repository. */
  secretStatus: SecretStatus | null;
}

function credentialAdvice(ctx: AdviceContext): string[] {
  const s = ctx.secret;
  if (!s) {
    return [
      'The token the workflow pushes with has expired, was revoked, or lacks the `repo` scope.',
      `No secret for ${hostName(ctx.mirrorHost)} is configured for ${ctx.repoName}: add it to the bot's configuration so /rotate can replace it.`,
      `Check that the token's user has push access to ${ctx.mirrorWebUrl}.`,
    ];
  }
  const advice: string[] = [];
  if (ctx.secretStatus?.state === 'missing') {
    advice.push(
      `The secret \`${s.name}\` does not exist on ${ctx.github}, so the workflow pushed without a credential: create it (exact name), e.g. with \`/rotate ${ctx.repoName} ${s.name}\`.`,
    );
  } else if (ctx.secretStatus?.state === 'overdue' && ctx.secretStatus.ageDays !== null) {
    advice.push(`\`${s.name}\` was last set ${ctx.secretStatus.ageDays} days ago (limit ${s.maxAgeDays}): the token has most likely expired.`);
  }
  if (s.kind === 'deploy-key') {
    advice.push(`The deploy key in \`${s.name}\` was removed from ${ctx.mirrorRepo} or lacks write access.`);
  } else if (s.kind === 'fine-grained-pat') {
    advice.push(`The token in \`${s.name}\` has expired, was revoked, or lacks *Contents: read and write* on ${ctx.mirrorRepo}.`);
  } else {
    const scopes = s.scopes.length > 0 ? s.scopes.map((x) => `\`${x}\``).join(', ') : '`repo`';
    advice.push(`The token in \`${s.name}\` has expired, was revoked, or lacks the ${scopes} scope.`);
  }
  if (ctx.secretStatus?.state !== 'missing') advice.push(`Rotate it with \`/rotate ${ctx.repoName} ${s.name}\`.`);
  advice.push(`Check that the token's user has push access to ${ctx.mirrorWebUrl}.`);
  return advice;
}

function adviceFor(d: LogDiagnosis, ctx: AdviceContext): string[] {
  const host = hostName(ctx.mirrorHost);
  switch (d.kind) {
    case 'auth_failed':
      return credentialAdvice(ctx);
    case 'push_rejected': {
      const advice = [
        `The branch is probably protected on ${host}: the token's user needs permission to bypass branch protection.`,
        `Check the token user's permissions on ${ctx.mirrorRepo}.`,
      ];
      if (d.evidence && /\[rejected\]|non-fast-forward|fetch first/i.test(d.evidence) && !/remote rejected/i.test(d.evidence)) {
        advice.unshift(`${ctx.mirrorRepo} has commits that ${ctx.github} does not (non-fast-forward): someone pushed to the mirror directly.`);
      }
      return advice;
    }
    case 'repo_not_found':
      return [
        `Check that ${ctx.mirrorRepo} exists on ${host} and that the workflow's remote URL names it exactly.`,
        `${host} also answers "not found" when the token's user cannot see the repository: check its access.`,
      ];
    case 'network':
      return [
        `The runner could not reach ${host}: GitHub-hosted runners need it reachable from the internet (or use a self-hosted runner).`,
        'If it was a passing outage, re-run the job.',
      ];
    case 'other':
      return ['No known cause was recognised: the excerpt below ends at the last error; open the job for the full log.'];
  }
}

export function toDiagnosis(d: LogDiagnosis, ctx: AdviceContext): Diagnosis {
  return {
    kind: d.kind,
    label: DIAGNOSIS_LABELS[d.kind],
    evidence: d.evidence,
    context: d.context,
    advice: adviceFor(d, ctx),
    rotateSecret: d.kind === 'auth_failed' && ctx.secret ? ctx.secret.name : null,
  };
}
