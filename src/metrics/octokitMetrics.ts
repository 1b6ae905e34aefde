import type { Octokit } from '@octokit/core';
import { githubNotModified, githubRequests } from './registry.js';

/**
 * Counts every request an Octokit client sends, by host, route template (`GET /repos/{owner}/{repo}/actions/runs`,
 * never the expanded URL, so the label set stays small and names no repository) and status. Applied first, so it
 * sits inside the retry and throttling plugins and sees each attempt.
 */
export function octokitMetrics(octokit: Octokit): void {
  octokit.hook.wrap('request', async (request, options) => {
    const host = hostOf(String(options.baseUrl ?? ''));
    const route = `${options.method} ${routeOf(String(options.url ?? ''))}`;
    try {
      const response = await request(options);
      githubRequests.inc({ host, route, status: String(response.status) });
      return response;
    } catch (e) {
      const status = (e as { status?: unknown }).status;
      const label = typeof status === 'number' && status > 0 ? String(status) : 'network-error';
      githubRequests.inc({ host, route, status: label });
      if (status === 304) githubNotModified.inc({ host, route });
      throw e;
    }
  });
}

function hostOf(baseUrl: string): string {
  try {
    const host = new URL(baseUrl).host;
    return host === 'api.github.com' ? 'github.com' : host;
  } catch {
    return 'unknown';
  }
}

/** The template as Octokit keeps it; an absolute URL (a log download) becomes its host-less path shape. */
function routeOf(url: string): string {
  if (!/^https?:/i.test(url)) return url.split('?')[0] ?? url;
  try {
    return new URL(url).pathname.replace(/\/\d+(?=\/|$)/g, '/{id}');
  } catch {
    return 'absolute-url';
  }
}
