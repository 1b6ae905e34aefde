import { hmacHex, safeEqualHex } from './crypto.js';
import type { Reply } from './http.js';
import type { GitHubState, JobRec, RepoRec } from './state.js';

/**
 * Log downloads the way GitHub does them: the API answers 302 to a short-lived,
 * signed URL on blob storage that needs no Authorization. Here the "blob storage" is
 * a path of the same server; a wrong or expired signature gets Azure's 403.
 */

export const BLOB_PREFIX = '/_blob/actions-results/';
const TTL_SECONDS = 5 * 60;

function payload(repoId: number, jobId: number, expires: string): string {
  return `${repoId}/${jobId}/${expires}`;
}

export function signedLogUrl(state: GitHubState, repo: RepoRec, job: JobRec): string {
  const expires = new Date(Date.now() + TTL_SECONDS * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const sig = hmacHex(state.blobKey, payload(repo.id, job.id, expires));
  const q = new URLSearchParams({ sv: '2025-07-05', se: expires, sr: 'b', sp: 'r', sig });
  return `${state.urls.url}${BLOB_PREFIX}${repo.id}/jobs/${job.id}/logs.txt?${q.toString()}`;
}

const azureError = (code: string, message: string): Reply => ({
  status: code === 'BlobNotFound' ? 404 : 403,
  text: `\uFEFF<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  headers: { 'content-type': 'application/xml' },
});

export function serveLogBlob(state: GitHubState, pathname: string, query: URLSearchParams): Reply {
  const m = /^\/_blob\/actions-results\/(\d+)\/jobs\/(\d+)\/logs\.txt$/.exec(pathname);
  const repo = m && [...state.repos.values()].find((r) => r.id === Number(m[1]));
  // Jobs of earlier attempts keep their logs.
  const job = m && repo?.runs.flatMap((r) => [...r.jobs, ...r.replacedJobs]).find((j) => j.id === Number(m[2]));
  if (!m || !repo || !job?.logText) return azureError('BlobNotFound', 'The specified blob does not exist.');
  const expires = query.get('se') ?? '';
  const sig = query.get('sig') ?? '';
  if (!safeEqualHex(sig, hmacHex(state.blobKey, payload(repo.id, job.id, expires)))) {
    return azureError(
      'AuthenticationFailed',
      'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
    );
  }
  if (!(new Date(expires).getTime() > Date.now())) {
    return azureError('AuthenticationFailed', 'Signed expiry time has to be after signed start time');
  }
  return { status: 200, text: job.logText, headers: { 'content-type': 'text/plain' } };
}
