import type { components } from '@octokit/openapi-types';

/**
 * GitHub's published response schemas, so tsc checks that what the fake answers has
 * the shape real clients (and the bot's zod schemas) expect.
 */
export type Schema<K extends keyof components['schemas']> = components['schemas'][K];

export type Flavor = 'dotcom' | 'ghes';
export type Permission = 'read' | 'write' | 'admin';
export type JobStatus = 'queued' | 'in_progress' | 'completed' | 'waiting';
export type JobConclusion = 'success' | 'failure' | 'cancelled' | 'skipped';

/** Installation/fine-grained permission names the fake enforces. */
export type RepoPermissionName = 'actions' | 'secrets' | 'administration' | 'contents' | 'metadata';
export type PermissionGrants = Partial<Record<RepoPermissionName, 'read' | 'write'>>;
