import { configDefaults, defineConfig } from 'vitest/config';

// CI asks for vitest's own totals in a JSON file (see .ci/run).
const json = process.env.VITEST_JSON_REPORT;

/**
 * Test files that run real shells and services, gitlab-ci-local, npm, or the built CLI (`dist/`, which
 * `npm test` builds first). `npm run test:unit` runs every other file (the linter, rules, formatters,
 * generator output and configuration, in-process) without building anything.
 */
const INTEGRATION = [
  'test/bench/**/*.test.ts',
  'test/cli/output.test.ts',
  'test/components/gitlab-ci-local.test.ts',
  'test/docs/**/*.test.ts',
  'test/gen/bash-scenarios.test.ts',
  'test/gen/e2e-lint.test.ts',
  'test/gen/guard-scenarios.test.ts',
  'test/gen/posix-scenarios.test.ts',
  'test/gen/sudo.test.ts',
  'test/harness/**/*.test.ts',
  'test/hostile/gen.test.ts',
  'test/lsp/**/*.test.ts',
  'test/package.test.ts',
  'test/shell/wasm-flags.test.ts',
  'test/site/**/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/setup/tmp-root.ts'],
    setupFiles: ['test/setup/fast-check.ts', 'test/setup/node-host.ts'],
    reporters: json ? ['default', ['json', { outputFile: json }]] : ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...INTEGRATION] } },
      { extends: true, test: { name: 'integration', include: INTEGRATION } },
    ],
  },
});
