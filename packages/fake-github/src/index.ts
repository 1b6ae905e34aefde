export { FakeGitHub } from './server.js';
export type { FailureInjection, FakeGitHubOptions, RecordedRequest, RunSummary } from './server.js';
export type { FaultKind, FaultLogEntry, FaultPlan, FaultRule } from './faults.js';
export type { FaultStormOptions, StormFaultKind } from './server.js';
export { FaultStorm } from './server.js';
export type { JobOutcome, JobUpdate } from './runs.js';
export type { Flavor, JobConclusion, JobStatus, Permission, PermissionGrants } from './types.js';
export { githubSchema } from './graphql.js';
