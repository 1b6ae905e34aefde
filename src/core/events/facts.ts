import { z } from 'zod';
import { isFailedConclusion } from '../jobConclusion.js';
import type { JobInfo } from '../ports.js';

/**
 * What a GitHub delivery (a webhook, or what the poller read) says, reduced to the facts
 * the projection keeps. Payloads carry far more than this, and GitHub adds fields at will:
 * the schemas check what is read and let the rest go (a field we rely on missing or of
 * the wrong type makes the delivery unusable, not the process crash).
 */

/** The events the bot takes; any other is acknowledged and ignored. */
export const TAKEN_EVENTS = ['workflow_run', 'workflow_job', 'push', 'create', 'ping'] as const;
export type TakenEvent = (typeof TAKEN_EVENTS)[number];
export const isTakenEvent = (e: string): e is TakenEvent => (TAKEN_EVENTS as readonly string[]).includes(e);

const Repository = z.object({ full_name: z.string().regex(/^[^/\s]+\/[^/\s]+$/) });
const time = z.string().datetime({ offset: true }).nullable().optional();

const WorkflowRun = z.object({
  id: z.number().int().positive(),
  workflow_id: z.number().int().optional(),
  name: z.string().nullable().optional(),
  path: z.string().nullable().optional(),
  event: z.string().nullable().optional(),
  head_branch: z.string().nullable().optional(),
  head_sha: z.string().nullable().optional(),
  status: z.string().nullable(),
  conclusion: z.string().nullable(),
  run_attempt: z.number().int().positive().optional(),
  html_url: z.string().nullable().optional(),
  created_at: time,
  updated_at: z.string().datetime({ offset: true }),
  // What /sync-status shows of a run (kept so it can report from the projection).
  run_number: z.number().int().optional(),
  display_title: z.string().nullable().optional(),
  run_started_at: time,
  // Who started the run (`actor`) and who started this attempt (`triggering_actor`, differs on a re-run), as GitHub sends them.
  actor: z.object({ login: z.string() }).nullable().optional(),
  triggering_actor: z.object({ login: z.string() }).nullable().optional(),
});

const WorkflowJob = z.object({
  id: z.number().int().positive(),
  run_id: z.number().int().positive(),
  name: z.string(),
  status: z.string(),
  conclusion: z.string().nullable(),
  started_at: time,
  completed_at: time,
  html_url: z.string().nullable().optional(),
  steps: z
    .array(
      z.object({
        name: z.string(),
        number: z.number(),
        status: z.string().optional(),
        conclusion: z.string().nullable().optional(),
        started_at: time,
        completed_at: time,
      }),
    )
    .optional(),
});

export interface RunFact {
  runId: number;
  workflowId: number | null;
  workflowPath: string | null;
  name: string | null;
  event: string | null;
  headBranch: string | null;
  headSha: string | null;
  status: string;
  conclusion: string | null;
  runAttempt: number;
  htmlUrl: string | null;
  createdAt: Date | null;
  updatedAt: Date;
  runNumber?: number | null;
  displayTitle?: string | null;
  runStartedAt?: Date | null;
  /** The login of who started the run, and of who started this attempt (a re-run); null when the delivery named none. */
  actor?: string | null;
  triggeringActor?: string | null;
}

export interface StepFact {
  number: number;
  name: string;
  status: string;
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
}

export interface JobFact {
  jobId: number;
  runId: number;
  name: string;
  status: string;
  conclusion: string | null;
  startedAt: Date | null;
  completedAt: Date | null;
  /** The first step that failed, for a failed job. */
  failingStep: string | null;
  htmlUrl: string | null;
  /** Null when the delivery carried none. */
  steps?: StepFact[] | null;
}

export type Fact = { kind: 'run'; run: RunFact } | { kind: 'job'; job: JobFact } | { kind: 'tag'; tag: string; sha: string | null };

/*
 * The payload schemas are built once: zod compiles a schema on its first parse, so one built
 * per call costs that compilation on every delivery (most of the intake's CPU under a burst).
 */
const WithRepository = z.object({ repository: Repository });
const RunDelivery = z.object({ workflow_run: WorkflowRun });
const JobDelivery = z.object({ workflow_job: WorkflowJob });
const PushDelivery = z.object({ ref: z.string(), after: z.string().optional(), created: z.boolean().optional(), deleted: z.boolean().optional() });
const CreateDelivery = z.object({ ref: z.string(), ref_type: z.string() });
const KeptRun = z.object({ action: z.string().optional(), workflow_run: WorkflowRun });
const KeptJob = z.object({ action: z.string().optional(), workflow_job: WorkflowJob });

/** `owner/name` of the delivery's repository, or null (ping of an organisation hook, junk). */
export function deliveryRepo(payload: unknown): string | null {
  const p = WithRepository.safeParse(payload);
  return p.success ? p.data.repository.full_name : null;
}

const date = (s: string | null | undefined) => (s ? new Date(s) : null);
/** A workflow file's path without the `@ref` GitHub appends for reusable/dynamic ones. */
const plainPath = (p: string | null | undefined) => (p ? (p.split('@')[0] ?? p) : null);

export function runFact(run: z.infer<typeof WorkflowRun>): RunFact {
  return {
    runId: run.id,
    workflowId: run.workflow_id ?? null,
    workflowPath: plainPath(run.path),
    name: run.name ?? null,
    event: run.event ?? null,
    headBranch: run.head_branch ?? null,
    headSha: run.head_sha ?? null,
    status: run.status ?? 'queued',
    conclusion: run.conclusion,
    runAttempt: run.run_attempt ?? 1,
    htmlUrl: run.html_url ?? null,
    createdAt: date(run.created_at),
    updatedAt: new Date(run.updated_at),
    runNumber: run.run_number ?? null,
    displayTitle: run.display_title ?? null,
    runStartedAt: date(run.run_started_at),
    actor: run.actor?.login ?? null,
    triggeringActor: run.triggering_actor?.login ?? null,
  };
}

export function jobFact(job: z.infer<typeof WorkflowJob>): JobFact {
  const failed = job.steps?.find((s) => isFailedConclusion(s.conclusion));
  return {
    jobId: job.id,
    runId: job.run_id,
    name: job.name,
    status: job.status,
    conclusion: job.conclusion,
    startedAt: date(job.started_at),
    completedAt: date(job.completed_at),
    failingStep: failed?.name ?? null,
    htmlUrl: job.html_url ?? null,
    steps: job.steps
      ? job.steps.map((st) => ({
          number: st.number,
          name: st.name,
          status: st.status ?? 'completed',
          conclusion: st.conclusion ?? null,
          startedAt: st.started_at ?? null,
          completedAt: st.completed_at ?? null,
        }))
      : null,
  };
}

export const RunPayload = WorkflowRun;
export const JobPayload = WorkflowJob;

/**
 * The facts in one delivery. `push`: a tag created by the push (branch pushes and
 * deletions say nothing the bot keeps); `create`: a tag. Unusable payloads: no facts.
 */
export function factsOf(event: string, payload: unknown): Fact[] {
  switch (event) {
    case 'workflow_run': {
      const p = RunDelivery.safeParse(payload);
      return p.success ? [{ kind: 'run', run: runFact(p.data.workflow_run) }] : [];
    }
    case 'workflow_job': {
      const p = JobDelivery.safeParse(payload);
      return p.success ? [{ kind: 'job', job: jobFact(p.data.workflow_job) }] : [];
    }
    case 'push': {
      const p = PushDelivery.safeParse(payload);
      if (!p.success || p.data.deleted || !p.data.ref.startsWith('refs/tags/')) return [];
      return [{ kind: 'tag', tag: p.data.ref.slice('refs/tags/'.length), sha: p.data.after ?? null }];
    }
    case 'create': {
      const p = CreateDelivery.safeParse(payload);
      return p.success && p.data.ref_type === 'tag' ? [{ kind: 'tag', tag: p.data.ref, sha: null }] : [];
    }
    default:
      return [];
  }
}

/**
 * The part of a payload the facts are read from (the schemas drop every other field):
 * what is stored, so a 25 MB push payload costs the store a few hundred bytes.
 */
export function prunePayload(event: string, payload: unknown): unknown {
  const repository = WithRepository.safeParse(payload);
  const base = repository.success ? { repository: repository.data.repository } : {};
  const pick = (schema: z.ZodType) => {
    const p = schema.safeParse(payload);
    return p.success ? { ...base, ...(p.data as object) } : base;
  };
  switch (event) {
    case 'workflow_run':
      return pick(KeptRun);
    case 'workflow_job':
      return pick(KeptJob);
    case 'push':
      return pick(PushDelivery);
    case 'create':
      return pick(CreateDelivery);
    default:
      return base;
  }
}

/** A job as the REST API gave it (a gateway's JobInfo), as the projection stores it: the same fact a delivery gives. */
export function jobFactOfInfo(j: JobInfo): JobFact {
  return {
    jobId: j.id,
    runId: j.runId,
    name: j.name,
    status: j.status,
    conclusion: j.conclusion,
    startedAt: date(j.startedAt),
    completedAt: date(j.completedAt),
    failingStep: j.steps.find((s) => isFailedConclusion(s.conclusion))?.name ?? null,
    htmlUrl: j.htmlUrl,
    steps: j.steps,
  };
}
