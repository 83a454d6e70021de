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
  /** A CI path filter of the manifests, relative to the repository root (`dir/**` or the file), glob characters escaped. */
  manifestsFromRoot?: string;
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
    '    - scale: 0.008',
    'windows:',
    '  - {start: "06:30", end: "08:00"}',
    '  - {start: "22:30", end: "24:00"}',
    'compression: 60',
    '# Devices one replica serves: set it to what your HPA target assumes.',
    'devicesPerReplica: 1000',
    'nodes:',
    '  ecs: [{name: ecs, count: 3}]',
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

const scenarioWord = (p: InitParams) => shellQuote(`${p.dir}/scenario.yaml`);
const simulateCommand = (p: InitParams) => `npx ebbflow simulate ${scenarioWord(p)} --out out-sim`;
const replayCommand = (p: InitParams) => `npx ebbflow replay ${scenarioWord(p)} --out out`;

/** The components a replay runs (the SDK clients only test the fake SLS). */
export const REPLAY_COMPONENTS = 'kubernetes etcd kwok prometheus-adapter prometheus';

export function githubWorkflow(p: InitParams): string {
  const paths = [`${githubPathLiteral(p.dir)}/**`, ...(p.manifestsFromRoot ? [p.manifestsFromRoot] : []), 'package-lock.json'];
  return [
    `# Written by \`ebbflow init\` (ebbflow ${p.version}): on every pull request that touches scaling,`,
    '# simulate and replay the scenario against a real local control plane; red if an expectation fails.',
    'name: ebbflow',
    'on:',
    '  pull_request:',
    `    paths: [${paths.map(yamlSingleQuoted).join(', ')}]`,
    '  push:',
    '    branches: [main]',
    'jobs:',
    '  autoscaling:',
    '    runs-on: ubuntu-latest',
    '    timeout-minutes: 60',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - uses: actions/setup-node@v4',
    '        with: {node-version: 20, cache: npm}',
    '      # The pinned Kubernetes, etcd, KWOK and prometheus-adapter are built from the Go module proxy once.',
    '      - uses: actions/setup-go@v5',
    "        with: {go-version: '1.26', cache: false}",
    '      - run: npm ci',
    '      # The cache key is a hash of the pinned versions: it changes exactly when a rebuild is due.',
    '      - id: toolchain',
    '        run: echo "key=$(npx ebbflow toolchain key)" >> "$GITHUB_OUTPUT"',
    '      - uses: actions/cache@v4',
    '        with:',
    '          path: ~/.cache/ebbflow',
    `          key: ${gh('steps.toolchain.outputs.key')}`,
    `      - run: npx ebbflow toolchain install ${REPLAY_COMPONENTS}`,
    `      - run: ${yamlScalar(simulateCommand(p))}`,
    `      - run: ${yamlScalar(replayCommand(p))}`,
    '      - if: always()',
    '        run: cat out/summary.md >> "$GITHUB_STEP_SUMMARY" || true',
    '      - if: always()',
    '        uses: actions/upload-artifact@v4',
    '        with: {name: ebbflow-report, path: out/}',
    '',
  ].join('\n');
}

export function gitlabCi(p: InitParams): string {
  return [
    `# Written by \`ebbflow init\` (ebbflow ${p.version}): an example job; include it from .gitlab-ci.yml`,
    `# (include: {local: ${JSON.stringify(`${p.dir}/gitlab-ci.example.yml`)}}) or copy it there.`,
    'ebbflow:',
    '  image: node:20-bookworm',
    '  variables:',
    '    GO_VERSION: "1.26.0"',
    '    EBBFLOW_CACHE_DIR: "$CI_PROJECT_DIR/.ebbflow-cache"',
    '  # GitLab cache keys are files, not commands: package-lock.json pins the ebbflow version, and with',
    '  # it every pinned toolchain version (`npx ebbflow toolchain key` prints the exact key).',
    '  cache:',
    '    key: {files: [package-lock.json], prefix: ebbflow-toolchain}',
    '    paths: [.ebbflow-cache/]',
    '  rules:',
    '    - if: $CI_PIPELINE_SOURCE == "merge_request_event"',
    '    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH',
    '  before_script:',
    '    - curl -fsSL "https://go.dev/dl/go${GO_VERSION}.linux-amd64.tar.gz" | tar -C /usr/local -xz',
    '    - export PATH="/usr/local/go/bin:$PATH"',
    '    - npm ci',
    `    - npx ebbflow toolchain install ${REPLAY_COMPONENTS}`,
    '  script:',
    `    - ${yamlScalar(simulateCommand(p))}`,
    `    - ${yamlScalar(replayCommand(p))}`,
    '  artifacts:',
    '    when: always',
    '    paths: [out/]',
    '    reports:',
    '      junit: out/junit.xml',
    '',
  ].join('\n');
}
