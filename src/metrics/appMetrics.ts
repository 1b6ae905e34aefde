import client from 'prom-client';
import type { AppDeps } from '../deps.js';
import { lastSecretDate, processRegistry } from './registry.js';

/**
 * What one app's store and configuration say, read at scrape time: job queue depth and lag per kind, approvals
 * pending, and each configured secret's age (from the `updated_at` GitHub last reported to this process).
 */
export function appMetrics(deps: Pick<AppDeps, 'store' | 'config' | 'now'>): { render(): Promise<string>; contentType: string } {
  const registry = new client.Registry();
  const db = deps.store.db;

  new client.Gauge({
    name: 'chatops_jobs_queued',
    help: 'Background jobs pending or running, by kind',
    labelNames: ['kind', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db
        .selectFrom('jobs')
        .select(['kind', 'status'])
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('status', 'in', ['pending', 'running'])
        .groupBy(['kind', 'status'])
        .execute();
      for (const r of rows) this.set({ kind: r.kind, status: String(r.status) }, Number(r.n));
    },
  });

  new client.Gauge({
    name: 'chatops_jobs_lag_seconds',
    help: 'How long the oldest due, pending job of each kind has waited past its run time (0: none late)',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const now = deps.now().getTime();
      const rows = await db
        .selectFrom('jobs')
        .select('kind')
        .select((eb) => eb.fn.min<number | string>('run_at').as('oldest'))
        .where('status', '=', 'pending')
        .where('run_at', '<=', now)
        .groupBy('kind')
        .execute();
      for (const r of rows) this.set({ kind: r.kind }, Math.max(0, (now - Number(r.oldest)) / 1000));
    },
  });

  new client.Gauge({
    name: 'chatops_approvals_pending',
    help: 'Secret changes waiting for an approver',
    registers: [registry],
    async collect() {
      const row = await db
        .selectFrom('secret_changes')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirst();
      this.set(Number(row?.n ?? 0));
    },
  });

  new client.Gauge({
    name: 'chatops_secret_age_seconds',
    help: "Age of each configured Actions secret (from GitHub's updated_at, as last read by this process)",
    labelNames: ['repo', 'secret'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const now = deps.now().getTime();
      for (const repo of deps.config.file.repos) {
        for (const s of repo.secrets) {
          const at = lastSecretDate(repo.github, s.name);
          if (at) this.set({ repo: repo.github, secret: s.name }, Math.max(0, (now - at.getTime()) / 1000));
        }
      }
    },
  });

  return {
    contentType: processRegistry.contentType,
    render: () => client.Registry.merge([processRegistry, registry]).metrics(),
  };
}
