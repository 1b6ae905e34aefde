// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * Layers point one way (README, Development). Each folder's block lists what its files may not
 * import; a later block replaces an earlier one for the same files, so each repeats the packages/ rule.
 * Relative specifiers only (there are no path aliases): from a file `depth` folders below src/, climbing out
 * `depth` times reaches src/, so `(../){depth}X/` is folder X of src/ (core/events/ and core/home/ bear layer names).
 */
const SURFACES = 'commands|actions|views|events|home';
const layer = (regex, message) => ({ regex, message });
const NO_SANDBOX = layer('^(@chatops/|(\\.{1,2}/)+packages/)', 'Nothing in src/ imports packages/: the fakes and the sandbox are not product code.');
const LAYERS = [
  { files: ['src/**/*.ts'], patterns: [NO_SANDBOX] },
  // One block per depth, so `../events/` from core/sync/ (core/events/) is not taken for src/events/.
  ...[1, 2, 3].map((depth) => ({
    files: [`src/core/${'*/'.repeat(depth - 1)}*.ts`],
    patterns: [
      NO_SANDBOX,
      layer(
        `^(\\.\\./){${depth}}(ui|services|store|github|slack|http|worker|${SURFACES})(/|$)`,
        'core/ is pure: it returns data and codes, and imports no ui/, services/, store, GitHub or Slack surface.',
      ),
      layer(`^(\\.\\./){${depth + 1},}`, 'core/ imports nothing outside src/.'),
    ],
  })),
  // config/ is below core/ (core reads its types), so ui/ may read them too.
  {
    files: ['src/ui/**/*.ts'],
    patterns: [NO_SANDBOX, layer('^\\.\\./(?!core/|config/)', 'ui/ words what core/ decides: it imports only core/ (and config/, which core/ reads too).')],
  },
  ...[1, 2].map((depth) => ({
    files: [`src/services/${'*/'.repeat(depth - 1)}*.ts`],
    patterns: [NO_SANDBOX, layer(`^(\\.\\./){${depth}}(${SURFACES})(/|$)`, 'services/ are called by the Slack surfaces and import none of them.')],
  })),
].map(({ patterns, ...block }) => ({ ...block, rules: { 'no-restricted-imports': ['error', { patterns }] } }));

/*
 * Services get their GitHub gateways from AppDeps.gateways (the ports of core/ports.ts); only src/github/
 * builds the concrete ones (src/github/gateways.ts, and each gateway's own file), so a port is never bypassed.
 */
const ONE_GATEWAY_FACTORY = {
  files: ['src/**/*.ts'],
  ignores: ['src/github/**'],
  rules: {
    'no-restricted-syntax': [
      'error',
      {
        selector: 'NewExpression[callee.name=/(Gateway|TokenProbe)$/]',
        message: 'Gateways come from deps.gateways (core/ports.ts Gateways); only src/github/ builds them with `new`.',
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'coverage/**', 'test-artifacts/**', 'dist/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  ...LAYERS,
  ONE_GATEWAY_FACTORY,
  {
    files: ['bench/**', 'src/main.ts', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  // Plain Node scripts (npm start, npm run build) run before anything is compiled: linted without type information.
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { process: 'readonly' } },
  },
);
