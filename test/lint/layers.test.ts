import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

/**
 * The layer rule of eslint.config.js (no-restricted-imports per folder), run through ESLint's
 * Node API on source strings placed, by name, in each folder. Type-aware rules are off for these
 * strings: the files do not exist, so TypeScript's project cannot hold them, and the rule needs no types.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const untyped = [
  { files: ['src/**/*.ts'], ...tseslint.configs.disableTypeChecked, languageOptions: { parserOptions: { projectService: false, project: null } } },
];
const eslint = new ESLint({ cwd: root, overrideConfig: untyped });

async function layerErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  assert.ok(result, 'ESLint gave no result');
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('eslint: layers point one way', () => {
  const refused: [string, string, RegExp][] = [
    ['src/core/fixture.ts', "import { text } from '../ui/messages.js';\nexport const t = text;\n", /core\/ is pure/],
    [
      'src/core/release/fixture.ts',
      "import { renderReleaseProgress } from '../../ui/releaseProgress.js';\nexport const r = renderReleaseProgress;\n",
      /core\/ is pure/,
    ],
    ['src/core/fixture.ts', "import type { Store } from '../store/index.js';\nexport type S = Store;\n", /core\/ is pure/],
    ['src/core/sync/fixture.ts', "export { requestRotation } from '../../services/rotation/start.js';\n", /core\/ is pure/],
    ['src/core/fixture.ts', "import { ACTION_IDS } from '../actions/ids.js';\nexport const a = ACTION_IDS;\n", /core\/ is pure/],
    ['src/ui/fixture.ts', "import { ACTION_IDS } from '../actions/ids.js';\nexport const a = ACTION_IDS;\n", /ui\/ words what core\/ decides/],
    ['src/ui/fixture.ts', "import type { SecretChange } from '../store/index.js';\nexport type C = SecretChange;\n", /ui\/ words what core\/ decides/],
    [
      'src/services/fixture.ts',
      "import * as release from '../commands/release.js';\nexport const r = release;\n",
      /services\/ are called by the Slack surfaces/,
    ],
    // core/events/ and services/events/ bear a surface's name: climbing to src/ is what counts.
    ['src/core/sync/fixture.ts', "import { register } from '../../events/index.js';\nexport const r = register;\n", /core\/ is pure/],
    ['src/core/fixture.ts', "import { register } from '../home/index.js';\nexport const r = register;\n", /core\/ is pure/],
    ['src/services/events/fixture.ts', "import { register } from '../../events/index.js';\nexport const r = register;\n", /services\/ are called/],
    ['src/core/fixture.ts', "import '../../bench/bench.js';\n", /core\/ imports nothing outside src\//],
    ['src/commands/fixture.ts', "import { FakeGitHub } from '@chatops/fake-github';\nexport const f = FakeGitHub;\n", /Nothing in src\/ imports packages\//],
    ['src/fixture.ts', "import '../packages/sandbox/src/main.js';\n", /Nothing in src\/ imports packages\//],
    ['src/core/fixture.ts', "import '@chatops/sandbox/world.js';\n", /Nothing in src\/ imports packages\//],
  ];
  for (const [file, source, why] of refused) {
    test(`${file} may not: ${source.split('\n')[0]}`, async () => {
      const errors = await layerErrors(file, source);
      assert.equal(errors.length, 1, `expected one layer error, got ${JSON.stringify(errors)}`);
      assert.match(errors[0] ?? '', why);
    });
  }

  const allowed: [string, string][] = [
    [
      'src/core/fixture.ts',
      "import type { ResolvedRepo } from '../config/load.js';\nimport { redactSecrets } from './redact.js';\nexport type R = ResolvedRepo;\nexport const r = redactSecrets;\n",
    ],
    [
      'src/core/release/fixture.ts',
      "import { ACTION_IDS } from '../ids.js';\nimport { findTokens } from '../leaks/findTokens.js';\nexport const a = [ACTION_IDS, findTokens];\n",
    ],
    ['src/core/sync/fixture.ts', "import type { RunFact } from '../events/facts.js';\nexport type R = RunFact;\n"],
    ['src/core/fixture.ts', "import type { RunFact } from './events/facts.js';\nexport type R = RunFact;\n"],
    ['src/services/events/fixture.ts', "import type { Store } from '../../store/index.js';\nexport type S = Store;\n"],
    ['src/ui/fixture.ts', "import { ACTION_IDS } from '../core/ids.js';\nimport { button } from './blocks.js';\nexport const a = [ACTION_IDS, button];\n"],
    [
      'src/services/fixture.ts',
      "import { refusalText } from '../ui/refusal.js';\nimport type { Store } from '../store/index.js';\nexport type S = Store;\nexport const r = refusalText;\n",
    ],
    ['src/commands/fixture.ts', "import { ACTION_IDS } from '../actions/ids.js';\nexport const a = ACTION_IDS;\n"],
  ];
  for (const [file, source] of allowed) {
    test(`${file} may: ${source.split('\n')[0]}`, async () => {
      assert.deepEqual(await layerErrors(file, source), []);
    });
  }

  test('the tree as it is keeps the rule', async () => {
    const results = await eslint.lintFiles(['src/**/*.ts']);
    const broken = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => `${r.filePath}:${m.line} ${m.message}`));
    assert.deepEqual(broken, []);
  });
});

describe('eslint: services get their gateways from deps.gateways', () => {
  async function gatewayErrors(filePath: string, source: string): Promise<string[]> {
    const [result] = await eslint.lintText(source, { filePath });
    assert.ok(result, 'ESLint gave no result');
    return result.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message);
  }

  const refused: [string, string][] = [
    [
      'src/services/fixture.ts',
      "import { ActionsGateway } from '../github/actionsGateway.js';\nimport type { GitHubClient } from '../github/octokit.js';\nexport const gw = (c: GitHubClient) => new ActionsGateway(c);\n",
    ],
    [
      'src/services/rotation/fixture.ts',
      "import { DeployKeysGateway } from '../../github/secretsGateway.js';\nimport type { GitHubClient } from '../../github/octokit.js';\nexport const gw = (c: GitHubClient) => new DeployKeysGateway(c);\n",
    ],
    [
      'src/commands/fixture.ts',
      "import { TokenProbe } from '../github/tokenProbe.js';\nimport type { GitHubClient } from '../github/octokit.js';\nexport const p = (c: GitHubClient) => new TokenProbe(c);\n",
    ],
  ];
  for (const [file, source] of refused) {
    test(`${file} may not: ${source.split('\n').at(-2)}`, async () => {
      const errors = await gatewayErrors(file, source);
      assert.equal(errors.length, 1, `expected one error, got ${JSON.stringify(errors)}`);
      assert.match(errors[0] ?? '', /deps\.gateways/);
    });
  }

  const allowed: [string, string][] = [
    [
      'src/services/fixture.ts',
      "import type { AppDeps } from '../deps.js';\nexport const gw = async (deps: AppDeps) => (await deps.gateways.repo({ owner: 'o', name: 'r' })).actions;\n",
    ],
    [
      'src/github/fixture.ts',
      "import { ActionsGateway } from './actionsGateway.js';\nimport type { GitHubClient } from './octokit.js';\nexport const gw = (c: GitHubClient) => new ActionsGateway(c);\n",
    ],
    [
      'src/main.ts',
      "import { GitHubClients } from './github/clients.js';\nimport { GitHubGateways } from './github/gateways.js';\nexport const g = (c: GitHubClients) => new GitHubGateways(c);\n",
    ],
  ];
  for (const [file, source] of allowed) {
    test(`${file} may: ${source.split('\n').at(-2)}`, async () => {
      assert.deepEqual(await gatewayErrors(file, source), []);
    });
  }

  test('the tree as it is keeps the rule', async () => {
    const results = await eslint.lintFiles(['src/**/*.ts']);
    const broken = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => `${r.filePath}:${m.line} ${m.message}`));
    assert.deepEqual(broken, []);
  });
});
