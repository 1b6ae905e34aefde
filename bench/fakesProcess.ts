/**
 * The fakes of the latency bench, in a process of their own, so that their CPU
 * (parsing, Block Kit validation, GraphQL execution) is not counted against the
 * bot. Prints one JSON line with the URLs and the seed, then serves a small
 * control API: POST /response-urls?n=50 and GET /delivered.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGitHub } from '@chatops/fake-github';
import { seedPywats } from '@chatops/fake-github/scenario.js';
import { FakeSlack } from '@chatops/fake-slack';

const [botToken = '', channel = '', user = '', latencyMs = '0'] = process.argv.slice(2);
const slack = new FakeSlack({ botToken });
const github = new FakeGitHub({ flavor: 'dotcom' });
const ghe = new FakeGitHub({ flavor: 'ghes', webHost: 'wats.ghe.com' });
await Promise.all([slack.start(), github.start(), ghe.start()]);
const seed = seedPywats(github, ghe);
github.setLatency(Number(latencyMs));
ghe.setLatency(Number(latencyMs));

const control = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  res.setHeader('content-type', 'application/json');
  if (req.method === 'POST' && url.pathname === '/response-urls') {
    const n = Number(url.searchParams.get('n') ?? '1');
    res.end(JSON.stringify(Array.from({ length: n }, () => slack.responseUrl({ channel, user }))));
  } else if (url.pathname === '/responses') {
    // What the bot posted to response_urls (newest last), for a bench that clicks the buttons it was given.
    res.end(JSON.stringify(slack.callsTo('response_url').map((c) => c.args)));
  } else if (url.pathname === '/delivered') {
    const calls = slack.callsTo('response_url');
    res.end(
      JSON.stringify({
        ok: calls.filter((c) => c.ok).length,
        last: Math.max(0, ...calls.map((c) => c.at)),
        githubRequests: github.requests.length,
        gheRequests: ghe.requests.length,
      }),
    );
  } else {
    res.statusCode = 404;
    res.end('{}');
  }
});
await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
process.stdout.write(
  `${JSON.stringify({ slackApiUrl: slack.apiUrl, githubUrl: github.url, gheUrl: ghe.url, controlUrl: `http://127.0.0.1:${(control.address() as AddressInfo).port}`, seed })}\n`,
);
process.on('SIGTERM', () => {
  control.close();
  void Promise.all([slack.stop(), github.stop(), ghe.stop()]).then(() => process.exit(0));
});
