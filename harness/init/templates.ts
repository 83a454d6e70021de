import type { Capacity } from './capacity.ts';
import { githubPathLiteral, shellQuote, yamlScalar, yamlSingleQuoted } from './quoting.ts';

/**
 * What `ebbflow init` writes, as text: declarative templates, pure. GitHub expressions (`${{ … }}`)
 * are written with a placeholder so they never meet JavaScript template literals. Every user path
 * goes through `quoting.ts`: a YAML scalar that reads back as written, one shell word in commands.
 */

export interface InitParams {
  /** Directory of the scenario, relative to the repository root, POSIX separators (e.g. "ebbflow"). */
  dir: string;
  /** The team's manifests, relative to the scenario's directory; undefined: the shipped ones. */
  manifests?: string;
  /**
   * CI path filters of the manifests' kustomize closure, relative to the repository root (`dir/**`
   * per directory, a file as itself), glob characters escaped.
   */
  manifestsPaths?: string[];
  /** The capacity per replica derived from the team's HPA target, or why it could not be. */
  capacity?: Capacity;
  /** The curve file name, copied next to the scenario under curves/. */
  curve: string;
  version: string;
}

const gh = (expr: string) => `\${{ ${expr} }}`;

/** A starter scenario: the shipped weekday curve's morning ramp and evening drop, checked against the usual expectations. */
export function scenarioYaml(p: InitParams): string {
  const system = p.manifests
    ? [
        '# The system under test is your own: HPA, workload, adapter rules and exporter config are read',
        '# from these manifests (relative to this file). Fields below override them.',
        `manifests: ${yamlScalar(p.manifests)}`,
      ]
    : [
        "# The system under test is ebbflow's shipped example (an ElasticWorkload, ECS then ECI). Point",
        '# `manifests:` at your own kustomize directory or YAML to test yours.',
        'hpa:',
        '  minReplicas: 1',
        '  maxReplicas: 12',
        '  target: {type: AverageValue, value: 1000}',
        'elasticWorkload:',
        '  sourceMax: 2',
      ];
  return [
    `# Written by \`ebbflow init\` (ebbflow ${p.version}). Format: the scenarios README of the ebbflow package.`,
    'name: starter',
    'description: Weekday morning ramp (06:30–08:00) and evening drop (22:30–24:00), scaled so the peak needs ~8 replicas.',
    'curve:',
    `  # Replace with your own history: ebbflow curve pull --config exporter.yaml --metric active_devices --from now-7d --out ${shellQuote(`${p.dir}/curves/week.csv`)}`,
    `  file: curves/${p.curve}`,
    '  transforms:',
    `    - scale: ${curveScale(p.capacity)}`,
    '# The zone (IANA name) of the day, the windows, the curve\'s clock times and the reports\' times, e.g. Asia/Shanghai.',
    'timezone: UTC',
    'windows:',
    '  - {start: "06:30", end: "08:00"}',
    '  - {start: "22:30", end: "24:00"}',
    'compression: 60',
    ...capacityLines(p.capacity),
    'nodes:',
    '  ecs: [{name: ecs, count: 3}]',
    '# Your prices (the scenarios README, "Cost"); without them ECI is at its list price and ECS estimated.',
    '# cost:',
    '#   currency: CNY',
    '#   ecs: [{pool: ecs, instanceType: ecs.g7.xlarge, pricePerNode: 386.6, per: month}]',
    ...system,
    'expectations:',
    ...(p.manifests
      ? ['  # Your HPA keeps its own bounds. With an ElasticWorkload add sourceNeverAboveMax and overflowOnlyOnVirtualNode.']
      : ['  - {type: replicaBounds, of: ew.replicas, min: 1, max: 12}', '  - {type: sourceNeverAboveMax}', '  - {type: overflowOnlyOnVirtualNode}']),
    '  - {type: reactionTime, withinSeconds: 120, tolerance: 0.1}',
    '  - {type: maxDirectionChangesPerHour, max: 4}',
    '  - {type: sloCoverage, minPercent: 80}',
    '',
  ].join('\n');
}

const DEFAULT_CAPACITY = 1000;
const capacityOf = (c: Capacity | undefined) => (c && 'devicesPerReplica' in c ? c.devicesPerReplica : DEFAULT_CAPACITY);

/** The shipped curve peaks near 1.2 M devices: scaled so the peak needs ~8 replicas at the capacity. */
function curveScale(c: Capacity | undefined): string {
  return String(Number(((0.008 * capacityOf(c)) / DEFAULT_CAPACITY).toPrecision(6)));
}

function capacityLines(c: Capacity | undefined): string[] {
  if (!c) return ['# Devices one replica serves: set it to what your HPA target assumes.', `devicesPerReplica: ${DEFAULT_CAPACITY}`];
  if ('devicesPerReplica' in c) return [`# Devices one replica serves, from your HPA's target: ${c.from.replace(/[\r\n]/g, ' ')}.`, `devicesPerReplica: ${c.devicesPerReplica}`];
  return [
    `# Could not derive this from your HPA: ${c.reason.replace(/[\r\n]/g, ' ')}.`,
    `# Set it to the devices one replica serves, or SLO coverage and reaction time measure against ${DEFAULT_CAPACITY}.`,
    `devicesPerReplica: ${DEFAULT_CAPACITY}`,
  ];
}

const scenarioWord = (p: InitParams) => shellQuote(`${p.dir}/scenario.yaml`);
const baseScenarioWord = (p: InitParams) => shellQuote(`${BASE_DIR}/${p.dir}/scenario.yaml`);
/** The pull request's simulation, against the target branch's timeline when there is one (BASELINE set by the step before). */
const simulateCommand = (p: InitParams) => `npx ebbflow simulate ${scenarioWord(p)} --out out-pr \${BASELINE:+--baseline "$BASELINE"}`;
const replayCommand = (p: InitParams) => `npx ebbflow replay ${scenarioWord(p)} --out out`;

/** Where the target branch is checked out beside the pull request. */
const BASE_DIR = '.ebbflow-base';

/** The components a replay runs (the SDK clients only test the fake SLS). */
export const REPLAY_COMPONENTS = 'kubernetes etcd kwok prometheus-adapter prometheus';

/**
 * Actions pinned by commit, the release tag in a comment (a tag can be moved, a commit cannot).
 * The commits are those the tags pointed at, as pinned across many public repositories' workflows.
 */
export const ACTIONS = {
  checkout: 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2',
  setupNode: 'actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 # v4.4.0',
  setupGo: 'actions/setup-go@d35c59abb061a4a6fb18e82ac0862c26744d6ab5 # v5.5.0',
  cache: 'actions/cache@5a3ec84eff668545956fd18022155c47e93e2684 # v4.2.3',
  uploadArtifact: 'actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2',
} as const;

/** The Go release the GitLab job downloads and its SHA-256 as go.dev/dl publishes it. */
export const GITLAB_GO = { version: '1.26.0', sha256: 'aac1b08a0fb0c4e0a7c1555beb7b59180b05dfc5a3d62e40e9de90cd42f88235' } as const;

const isPr = "github.event_name == 'pull_request'";

/** Shell lines simulating the target branch's scenario (if it has one yet) into out-base/; `exportLine` publishes BASELINE. */
function baselineScript(p: InitParams, exportLine: string): string[] {
  const dir = shellQuote(p.dir);
  return [
    `if [ -f ${baseScenarioWord(p)} ]; then`,
    `  npx ebbflow simulate ${baseScenarioWord(p)} --out out-base || echo "the target branch fails its expectations (exit $?): it is still the baseline"`,
    'else',
    `  echo "the target branch has no "${dir}"/scenario.yaml yet: no baseline"`,
    'fi',
    `if [ -f out-base/timeline.jsonl ]; then ${exportLine}; fi`,
  ];
}

const block = (indent: string, lines: string[]) => lines.map((l) => `${indent}${l}`);

export function githubWorkflow(p: InitParams): string {
  const paths = [`${githubPathLiteral(p.dir)}/**`, ...(p.manifestsPaths ?? []), 'package-lock.json'];
  return [
    `# Written by \`ebbflow init\` (ebbflow ${p.version}): on every pull request that touches scaling,`,
    '# simulate the target branch and the pull request, post the before/after table as one comment on',
    '# the pull request (edited on every push), and replay the pull request against a real local',
    '# control plane; red if an expectation fails.',
    'name: ebbflow',
    'on:',
    '  pull_request:',
    `    paths: [${paths.map(yamlSingleQuoted).join(', ')}]`,
    '  push:',
    '    branches: [main]',
    'permissions:',
    '  contents: read',
    '  pull-requests: write',
    '# A newer push to the same pull request makes this run moot.',
    'concurrency:',
    `  group: ebbflow-${gh('github.event.pull_request.number || github.ref')}`,
    '  cancel-in-progress: true',
    'jobs:',
    '  autoscaling:',
    '    runs-on: ubuntu-latest',
    '    timeout-minutes: 60',
    '    steps:',
    ...githubSteps(p),
    '',
  ].join('\n');
}

function githubSteps(p: InitParams): string[] {
  return [
    `      - uses: ${ACTIONS.checkout}`,
    '      # The target branch beside it: its simulation is the baseline of the before/after table.',
    `      - if: ${isPr}`,
    `        uses: ${ACTIONS.checkout}`,
    `        with: {ref: ${yamlSingleQuoted(gh('github.base_ref'))}, path: ${BASE_DIR}, persist-credentials: false}`,
    `      - uses: ${ACTIONS.setupNode}`,
    '        with: {node-version: 20, cache: npm}',
    '      # The pinned Kubernetes, etcd, KWOK and prometheus-adapter are built from the Go module proxy once.',
    `      - uses: ${ACTIONS.setupGo}`,
    "        with: {go-version: '1.26', cache: false}",
    '      - run: npm ci',
    '      # The cache key is a hash of the pinned versions: it changes exactly when a rebuild is due.',
    '      - id: toolchain',
    '        run: echo "key=$(npx ebbflow toolchain key)" >> "$GITHUB_OUTPUT"',
    `      - uses: ${ACTIONS.cache}`,
    '        with:',
    '          path: ~/.cache/ebbflow',
    `          key: ${gh('steps.toolchain.outputs.key')}`,
    '      - name: simulate the target branch',
    `        if: ${isPr}`,
    '        run: |',
    ...block('          ', baselineScript(p, 'echo "BASELINE=out-base/timeline.jsonl" >> "$GITHUB_ENV"')),
    `      - run: ${yamlScalar(simulateCommand(p))}`,
    '      # One sticky comment (found by its hidden marker, edited on every push); a fork\'s token cannot write it.',
    '      - name: comment the before/after table',
    `        if: always() && ${isPr} && github.event.pull_request.head.repo.full_name == github.repository && hashFiles('out-pr/summary.md') != ''`,
    '        env:',
    `          GITHUB_TOKEN: ${gh('github.token')}`,
    '        run: npx ebbflow ci comment --github --file out-pr/summary.md',
    `      - run: npx ebbflow toolchain install ${REPLAY_COMPONENTS}`,
    `      - run: ${yamlScalar(replayCommand(p))}`,
    '      - if: always()',
    '        run: for f in out-pr/summary.md out/summary.md; do if [ -f "$f" ]; then cat "$f" >> "$GITHUB_STEP_SUMMARY"; fi; done',
    '      - if: always()',
    `        uses: ${ACTIONS.uploadArtifact}`,
    '        with:',
    '          name: ebbflow-report',
    '          path: |',
    '            out-base/',
    '            out-pr/',
    '            out/',
    '          if-no-files-found: ignore',
  ];
}

const GITLAB_RULES = ['  rules:', '    - if: $CI_PIPELINE_SOURCE == "merge_request_event"', '    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH'];

export function gitlabCi(p: InitParams): string {
  return [
    `# Written by \`ebbflow init\` (ebbflow ${p.version}): an example job; include it from .gitlab-ci.yml`,
    `# (include: {local: ${JSON.stringify(`${p.dir}/gitlab-ci.example.yml`)}}) or copy it there.`,
    '# The merge request note needs a project access token (scope api, role Reporter or higher) in a',
    "# masked CI/CD variable EBBFLOW_GITLAB_TOKEN: GitLab's job token cannot write notes.",
    '',
    '# GitLab cache keys are not commands: this job computes `npx ebbflow toolchain key` (a hash of the',
    '# pinned versions) and hands it to the next job as a variable.',
    'ebbflow-toolchain-key:',
    '  stage: .pre',
    '  image: node:20-bookworm',
    ...GITLAB_RULES,
    '  script:',
    '    - npm ci',
    '    - echo "EBBFLOW_TOOLCHAIN_KEY=$(npx ebbflow toolchain key)" > toolchain-key.env',
    '  artifacts:',
    '    reports:',
    '      dotenv: toolchain-key.env',
    '',
    'ebbflow:',
    '  image: node:20-bookworm',
    '  needs: [ebbflow-toolchain-key]',
    '  variables:',
    `    GO_VERSION: "${GITLAB_GO.version}"`,
    `    # SHA-256 of go${GITLAB_GO.version}.linux-amd64.tar.gz as published on https://go.dev/dl/ (change both together).`,
    `    GO_SHA256: "${GITLAB_GO.sha256}"`,
    '    EBBFLOW_CACHE_DIR: "$CI_PROJECT_DIR/.ebbflow-cache"',
    '  cache:',
    '    key: $EBBFLOW_TOOLCHAIN_KEY',
    '    paths: [.ebbflow-cache/]',
    ...GITLAB_RULES,
    '  before_script:',
    '    - curl -fsSLo /tmp/go.tar.gz "https://go.dev/dl/go${GO_VERSION}.linux-amd64.tar.gz"',
    '    - echo "${GO_SHA256}  /tmp/go.tar.gz" | sha256sum -c -',
    '    - tar -C /usr/local -xzf /tmp/go.tar.gz',
    '    - export PATH="/usr/local/go/bin:$PATH"',
    '    - npm ci',
    `    - npx ebbflow toolchain install ${REPLAY_COMPONENTS}`,
    '  script:',
    '    # The target branch beside the merge request: its simulation is the baseline of the before/after table.',
    '    - |',
    '      if [ -n "${CI_MERGE_REQUEST_TARGET_BRANCH_NAME:-}" ]; then',
    '        git fetch --depth=1 origin "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"',
    `        git worktree add --detach ${BASE_DIR} FETCH_HEAD`,
    ...block('        ', baselineScript(p, 'export BASELINE=out-base/timeline.jsonl')),
    '      fi',
    `    - ${yamlScalar(simulateCommand(p))}`,
    `    - ${yamlScalar(replayCommand(p))}`,
    '  # One sticky note on the merge request (found by its hidden marker, edited on every push), also when an expectation failed.',
    '  after_script:',
    '    - if [ "$CI_PIPELINE_SOURCE" = merge_request_event ] && [ -f out-pr/summary.md ]; then npx ebbflow ci comment --gitlab --file out-pr/summary.md; fi',
    '  artifacts:',
    '    when: always',
    '    paths: [out-base/, out-pr/, out/]',
    '    reports:',
    '      junit: out/junit.xml',
    '',
  ].join('\n');
}
