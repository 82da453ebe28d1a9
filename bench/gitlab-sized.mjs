// Deterministic generator of a configuration shaped like a large product's own pipeline: a main
// `.gitlab-ci.yml` that includes `.gitlab/ci/*.gitlab-ci.yml` by a wildcard and shared templates from other
// projects, a rules file of long hidden rule sets, and some hundred files of hidden templates (some used by
// other files only, some by no job at all) and jobs that extend and `!reference` them, with services
// started in scripts. About 110 files and 16,000 lines. The same call always writes the same bytes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const AREAS = [
  'frontend', 'rails', 'database', 'qa', 'docs', 'setup', 'static-analysis', 'security', 'review', 'caching',
  'memory', 'pages', 'releases', 'reports', 'test-metadata', 'workhorse', 'gitaly', 'shell', 'pages-deploy', 'preflight',
];

/** The files and their texts, by path relative to the project folder. */
export function generateGitlabSized({ files = 108 } = {}) {
  const out = new Map();
  const names = Array.from({ length: files }, (_, i) => `${AREAS[i % AREAS.length]}${i >= AREAS.length ? `-${Math.floor(i / AREAS.length)}` : ''}`);
  out.set('.gitlab-ci.yml', mainFile());
  out.set('.gitlab/ci/rules.gitlab-ci.yml', rulesFile(names));
  out.set('.gitlab/ci/global.gitlab-ci.yml', globalFile());
  names.forEach((n, i) => out.set(`.gitlab/ci/${n}.gitlab-ci.yml`, areaFile(n, i, names)));
  return out;
}

/** Writes the configuration into `dir`; gives the entry file's path. */
export function writeGitlabSized(dir, options) {
  for (const [rel, text] of generateGitlabSized(options)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return join(dir, '.gitlab-ci.yml');
}

function mainFile() {
  return `stages:
  - sync
  - preflight
  - prepare
  - build-images
  - fixtures
  - lint
  - test-frontend
  - test
  - post-test
  - review
  - qa
  - post-qa
  - pages
  - notify

workflow:
  name: '$PIPELINE_NAME'
  rules:
    - if: '$CI_MERGE_REQUEST_IID'
      variables:
        PIPELINE_NAME: 'Merge request pipeline'
    - if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH'
      variables:
        PIPELINE_NAME: 'Default branch pipeline'
    - when: never

variables:
  RAILS_ENV: "test"
  NODE_ENV: "test"
  BUNDLE_WITHOUT: "production:development"
  GIT_DEPTH: "20"
  GIT_SUBMODULE_STRATEGY: "none"
  FF_USE_FASTZIP: "true"
  REGISTRY_HOST: "registry.example.com"
  REGISTRY_GROUP: "product/build-images"

default:
  image: $REGISTRY_HOST/$REGISTRY_GROUP/ci/debian-bookworm-ruby-3.3-node-20:latest
  tags:
    - product-runner
  interruptible: true
  retry:
    max: 2
    when:
      - runner_system_failure
      - stuck_or_timeout_failure

include:
  - local: .gitlab/ci/*.gitlab-ci.yml
  - project: product/quality/pipeline-common
    ref: 9.1.0
    file:
      - /ci/danger-review.yml
      - /ci/allure-report.yml
  - template: Jobs/SAST.gitlab-ci.yml
  - template: Jobs/Secret-Detection.gitlab-ci.yml
  - remote: https://ci.example.com/shared/notify.yml
  - component: $CI_SERVER_FQDN/product/ci-components/container-scan@2.3.0
    inputs:
      stage: test
`;
}

function rulesFile(names) {
  const lines = ['# Rule sets: long lists of conditions, as large pipelines keep them in one file.', ''];
  const conditions = [
    'if-merge-request: &if-merge-request\n  if: \'$CI_MERGE_REQUEST_IID\'',
    'if-default-branch: &if-default-branch\n  if: \'$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\'',
    'if-schedule: &if-schedule\n  if: \'$CI_PIPELINE_SOURCE == "schedule"\'',
    'if-tag: &if-tag\n  if: \'$CI_COMMIT_TAG\'',
  ];
  for (const c of conditions) lines.push(`.${c}`, '');
  lines.push('.code-patterns: &code-patterns', '  - "{app,lib,config,db,spec}/**/*"', '  - "{,ee/}{app,lib}/**/*.rb"', '  - "Gemfile{,.lock}"', '');
  lines.push('.frontend-patterns: &frontend-patterns', '  - "{,ee/}app/assets/**/*"', '  - "package.json"', '  - "yarn.lock"', '');
  for (const n of names) {
    lines.push(`.${n}:rules:default:`, '  rules:');
    lines.push('    - <<: *if-merge-request', '      changes: *code-patterns');
    lines.push('    - <<: *if-merge-request', '      changes: *frontend-patterns');
    lines.push('    - <<: *if-default-branch', '    - <<: *if-schedule', '      allow_failure: true', '');
    lines.push(`.${n}:rules:nightly:`, '  rules:', '    - <<: *if-schedule', '    - <<: *if-tag', '      when: manual', '      allow_failure: true', '');
  }
  return `${lines.join('\n')}\n`;
}

function globalFile() {
  return `.default-retry:
  retry:
    max: 2
    when:
      - unknown_failure
      - api_failure
      - runner_system_failure

.default-before_script:
  before_script:
    - echo "$CI_JOB_NAME started on $CI_RUNNER_DESCRIPTION"
    - source scripts/utils.sh
    - bundle config set --local path vendor

.yarn-install:
  before_script:
    - !reference [.default-before_script, before_script]
    - yarn install --frozen-lockfile --prefer-offline

.use-pg16:
  services:
    - name: postgres:16
      command: ["postgres", "-c", "fsync=off"]
    - redis:7-alpine
  variables:
    POSTGRES_HOST_AUTH_METHOD: trust

.use-docker-in-docker:
  image: docker:27
  services:
    - docker:27-dind
  variables:
    DOCKER_TLS_CERTDIR: ""

# Kept for other projects that include this file: no job here uses it.
.start-redis:
  before_script:
    - redis-server --port 6390 --daemonize yes
    - export REDIS_URL=redis://127.0.0.1:6390
`;
}

function areaFile(name, i, names) {
  const other = names[(i + 7) % names.length];
  const lines = [`# ${name}: templates and jobs.`, ''];
  lines.push(`.${name}-base:`, '  extends:', '    - .default-retry', '    - .default-before_script', `  stage: ${['test', 'prepare', 'qa', 'lint'][i % 4]}`);
  lines.push('  variables:', `    AREA: "${name}"`, '    SETUP_DB: "false"', '  cache:', `    key: ${name}-$CI_COMMIT_REF_SLUG`, '    paths:', '      - vendor/ruby', '      - node_modules/', '    policy: pull', '');
  lines.push(`.${name}-services:`, '  before_script:', '    - mkdir -p log', `    - ./bin/mock-${name} --port ${9000 + i} > log/mock.log 2>&1 &`, '    - MOCK_PID=$!', "    - trap 'kill $MOCK_PID 2>/dev/null || true' EXIT", '');
  // a template that only other projects use
  lines.push(`.${name}-external-only:`, '  script:', `    - ./scripts/${name}/start-fixture-server &`, '    - sleep 5', '');
  for (let j = 0; j < 6; j++) {
    const job = `${name}-${['unit', 'integration', 'build', 'check', 'report', 'e2e'][j]}`;
    lines.push(`${job}:`, '  extends:', `    - .${name}-base`, `    - .${name}:rules:default`);
    if (j % 3 === 0) lines.push('    - .use-pg16');
    lines.push('  needs:', `    - job: ${other}-build`, '      optional: true', '  script:');
    if (j === 5) {
      lines.push(`    - !reference [.${name}-services, before_script]`);
      lines.push('    - yarn run serve &', '    - SERVE_PID=$!', '    - until curl -fs http://localhost:3808 >/dev/null; do sleep 1; done');
      lines.push(`    - yarn run test:e2e --area ${name}`, '    - kill $SERVE_PID || true');
    } else if (j === 1) {
      lines.push('    - |', `      if [[ -n "$CI_MERGE_REQUEST_IID" ]]; then`, `        scripts/${name}/changed-specs > specs.txt`, '      fi');
      lines.push(`    - bundle exec rspec --tag ${name} $(cat specs.txt 2>/dev/null)`);
    } else {
      lines.push(`    - scripts/${name}/${job}.sh --junit reports/${job}.xml`, `    - echo "${job} done on $CI_COMMIT_SHORT_SHA"`);
    }
    lines.push('  artifacts:', '    when: always', '    expire_in: 7d', '    paths:', '      - reports/', '      - log/*.log', '    reports:', `      junit: reports/${job}.xml`, '');
  }
  lines.push(`${name}-nightly:`, '  extends:', `    - .${name}-base`, `    - .${name}:rules:nightly`, '  script:');
  lines.push(`    - echo "nightly for ${name}"`, `    - scripts/${name}/nightly.sh`, '');
  return `${lines.join('\n')}\n`;
}
