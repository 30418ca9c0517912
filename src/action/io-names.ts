// Every input and output name of the Action (action.yml), in one place. main.ts reads and
// writes only through these constants; a test checks they match action.yml exactly.
//   gh.getInput(Inputs.Model)

export const Inputs = {
  Model: 'model',
  Targets: 'targets',
  Precisions: 'precisions',
  Config: 'config',
  SampleInputs: 'inputs',
  Tolerance: 'tolerance',
  OutputDir: 'output-dir',
  Cache: 'cache',
  UploadArtifacts: 'upload-artifacts',
  ArtifactName: 'artifact-name',
  FailOn: 'fail-on',
  Python: 'python',
  AllowPickle: 'allow-pickle',
  RetentionDays: 'retention-days',
  Matrix: 'matrix',
  Baseline: 'baseline',
  RegressionMargin: 'regression-margin',
  Release: 'release',
  GitHubToken: 'github-token',
} as const;

export type InputName = (typeof Inputs)[keyof typeof Inputs];

/**
 * Defaults, as declared in action.yml. The runner applies them before the step starts; main.ts
 * applies them again for an empty value so that a direct call (tests, local runs) behaves alike.
 * github-token defaults to `${{ github.token }}` in action.yml, which only the runner can
 * evaluate: here it is '' and main.ts falls back to the GITHUB_TOKEN variable.
 */
export const INPUT_DEFAULTS: Readonly<Record<InputName, string>> = {
  model: '',
  targets: 'onnx',
  precisions: 'fp32',
  config: '',
  inputs: '',
  tolerance: '',
  'output-dir': 'model-convert-out',
  cache: 'true',
  'upload-artifacts': 'true',
  'artifact-name': '',
  'fail-on': 'violation',
  python: '',
  'allow-pickle': 'false',
  'retention-days': '',
  matrix: '',
  baseline: '',
  'regression-margin': '0.1',
  release: 'false',
  'github-token': '',
};

export const FAIL_ON_VALUES = ['violation', 'never'] as const;
export type FailOn = (typeof FAIL_ON_VALUES)[number];

export const Outputs = {
  Passed: 'passed',
  Report: 'report',
  Summary: 'summary',
  CacheHit: 'cache-hit',
  ArtifactId: 'artifact-id',
  Regressed: 'regressed',
  ReleaseUrl: 'release-url',
} as const;

export type OutputName = (typeof Outputs)[keyof typeof Outputs];
