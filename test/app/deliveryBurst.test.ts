import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startReplica, startHarness } from '../helpers/harness.js';
import { postDelivery, signDelivery } from '../helpers/webhooks.js';

const SECRET = 'whsec-burst-test';
const N = 1000;

describe('a burst of deliveries across two replicas on PostgreSQL', { skip: Boolean(process.env.CHATOPS_SKIP_PG) }, () => {
  test(`${N} deliveries, each sent to both replicas: all stored once, none lost, all applied`, { timeout: 120_000 }, async () => {
    const h = await startHarness({ store: 'postgres', env: { GITHUB_WEBHOOK_SECRET: SECRET } });
    let second: Awaited<ReturnType<typeof startReplica>> | null = null;
    try {
      second = await startReplica(h, { env: { GITHUB_WEBHOOK_SECRET: SECRET } });
      const repo = h.seed.github.repo;
      const bodies = await Promise.all(
        Array.from({ length: N }, (_, i) =>
          signDelivery(SECRET, 'create', { ref: `burst-${i}`, ref_type: 'tag', repository: { full_name: repo } }, { id: `burst-delivery-${i}` }),
        ),
      );
      const urls = [h.appUrl, second.appUrl];
      const outcomes: string[] = [];
      let busy = 0;
      // Each delivery reaches both replicas (a redelivery landing on the other one), 20 at a time.
      const sends = bodies.flatMap((d, i) => [0, 1].map((k) => ({ d, url: urls[(i + k) % 2] ?? '' })));
      for (let i = 0; i < sends.length; i += 20) {
        await Promise.all(
          sends.slice(i, i + 20).map(async (s) => {
            // A busy replica answers 503 (Retry-After: 1) having stored nothing: sent again, as a redelivery would be.
            let res: Response;
            for (let tries = 0; ; tries += 1) {
              res = await postDelivery(s.url, s.d);
              if (res.status !== 503 || tries === 30) break;
              busy += 1;
              await res.arrayBuffer();
              await new Promise((r) => setTimeout(r, 200));
            }
            assert.equal(res.status, 202);
            outcomes.push(JSON.stringify(await res.json()));
          }),
        );
      }
      assert.equal(outcomes.filter((o) => o === '{"stored":true}').length, N, `each delivery stored once (${busy} answers were 503 busy and sent again)`);
      assert.equal(outcomes.filter((o) => o.includes('"duplicate":true')).length, N, 'its second arrival recognised as a duplicate');
      assert.equal(await h.store.githubEvents.deliveryCount(), N);
      await eventually(async () => (await h.store.githubEvents.pending(repo, 1)).length === 0, 'all applied', 60_000);
      const tags = await h.store.db
        .withTables<{ gh_tags: { repo: string; tag: string } }>()
        .selectFrom('gh_tags')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('tag', 'like', 'burst-%')
        .executeTakeFirstOrThrow();
      assert.equal(Number(tags.n), N, 'every delivery reached the projection');
    } finally {
      await second?.stop({ keepFiles: true });
      await h.close();
    }
  });
});
