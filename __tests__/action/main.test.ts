// runAction with an in-memory GitHubIO: input validation and exit codes, the default artifact
// name, the failure message, and the publish steps (outputs, artifacts, job summary, warnings)
// around a stand-in pipeline. The real pipeline runs in main.e2e.test.ts.

import { jest } from '@jest/globals';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { ArtifactUploader, GitHubIO } from '../../src/action/github-io.js';
import type { PlanOptions } from '../../src/pipeline/plan-options.js';
import type { CacheStore, PipelineHooks, Plan } from '../../src/pipeline/types.js';
import type { Report, VariantReport } from '../../src/report/types.js';
import type { Metrics } from '../../src/verify/types.js';

const { UserError } = await import('../../src/errors.js');

// A stand-in pipeline: makePlan records its options; runPipeline writes report.json and
// summary.md into plan.outDir as the real one does and returns `pipelineReport`.
const planCalls: PlanOptions[] = [];
const hookCalls: PipelineHooks[] = [];
let pipelineReport: Report;

jest.unstable_mockModule('../../src/pipeline/plan.js', () => ({
  makePlan: (options: PlanOptions): Plan => {
    planCalls.push(options);
    if (options.model === 'missing.onnx')
      throw new UserError('missing.onnx: no such file. Check the model input.');
    if (options.model === 'bug.onnx') throw new TypeError('cannot read properties of undefined');
    return {
      model: options.model,
      targets: ['onnx'],
      precisions: ['fp32'],
      outDir: options.outDir ?? 'model-convert-out',
      samples: 1,
      seed: 0,
      dims: {},
      intRange: [0, 100],
      tolerance: [],
      cache: options.cache ?? true,
      verbose: false,
    };
  },
}));
jest.unstable_mockModule('../../src/pipeline/run.js', () => ({
  runPipeline: async (plan: Plan, hooks: PipelineHooks): Promise<Report> => {
    hookCalls.push(hooks);
    hooks.progress('verify onnx/fp32');
    await mkdir(path.join(plan.outDir, 'onnx', 'fp32'), { recursive: true });
    await writeFile(path.join(plan.outDir, 'onnx', 'fp32', 'model.onnx'), 'onnx bytes');
    await writeFile(path.join(plan.outDir, 'report.json'), JSON.stringify(pipelineReport));
    await writeFile(path.join(plan.outDir, 'summary.md'), '## summary from runPipeline\n');
    return pipelineReport;
  },
}));

const { deriveArtifactName, formatViolationsSummary, readActionInputs, runAction } =
  await import('../../src/action/main.js');
const { INPUT_DEFAULTS, Inputs, Outputs } = await import('../../src/action/io-names.js');
const { realGitHubIO } = await import('../../src/action/github-io.js');

interface FakeGitHub extends GitHubIO {
  outputs: Record<string, string>;
  warnings: string[];
  infos: string[];
  failures: string[];
  summaries: string[];
  uploads: { name: string; files: string[]; rootDir: string }[];
}

function fakeGitHub(
  inputs: Record<string, string>,
  options: { env?: Record<string, string>; cache?: CacheStore; artifacts?: ArtifactUploader | 'record' } = {},
): FakeGitHub {
  const gh: FakeGitHub = {
    outputs: {},
    warnings: [],
    infos: [],
    failures: [],
    summaries: [],
    uploads: [],
    getInput: (name) => inputs[name] ?? '',
    info: (msg) => gh.infos.push(msg),
    warning: (msg) => gh.warnings.push(msg),
    setFailed: (msg) => gh.failures.push(msg),
    setOutput: (name, value) => {
      gh.outputs[name] = value;
    },
    writeSummary: async (markdown) => {
      gh.summaries.push(markdown);
    },
    cache: options.cache,
    artifacts: undefined,
    env: options.env ?? {},
  };
  if (options.artifacts === 'record') {
    gh.artifacts = {
      upload: async (name, files, rootDir) => {
        gh.uploads.push({ name, files, rootDir });
        return { id: 4242 };
      },
    };
  } else {
    gh.artifacts = options.artifacts;
  }
  return gh;
}

function metrics(overrides: Partial<Metrics> = {}): Metrics {
  return {
    max_abs: 0,
    mean_abs: 0,
    rel_l2: 0,
    cosine: 1,
    snr_db: 100,
    top1_agree: null,
    nan: 0,
    inf: 0,
    ...overrides,
  };
}

function variant(
  fields: Partial<VariantReport> & Pick<VariantReport, 'target' | 'precision'>,
): VariantReport {
  return {
    files: [],
    bytes: 100,
    compression: 1,
    reference: 'source',
    runtime: 'onnxruntime-node 1.30.0 cpu',
    outputs: {},
    tolerance: { rel_l2: 0.1, cosine: 0.99 },
    status: 'pass',
    samples: 2,
    seconds: { convert: 0, verify: 0 },
    ...fields,
  };
}

function report(variants: VariantReport[], passed: boolean, cacheHit = false): Report {
  return {
    tool: { name: 'model-convert', version: '0.1.0' },
    model: { path: 'model.onnx', sha256: 'ab'.repeat(32), format: 'onnx', bytes: 100, parameters: 25 },
    variants,
    hardware: {},
    cache: { hit: cacheHit, key: cacheHit ? 'key-1' : '' },
    passed,
  };
}

const int4Violation = variant({
  target: 'onnx',
  precision: 'int4',
  metrics: metrics({ rel_l2: 0.2 }),
  outputs: { logits: metrics({ rel_l2: 0.2 }) },
  status: 'fail',
});

let outDir: string;
beforeEach(async () => {
  outDir = await mkdtemp(path.join(tmpdir(), 'model-convert-action-'));
  planCalls.length = 0;
  hookCalls.length = 0;
  pipelineReport = report([variant({ target: 'onnx', precision: 'fp32' })], true);
});
afterEach(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('input validation', () => {
  test('a bad fail-on value fails with exit 2 naming the input and the allowed values', async () => {
    const gh = fakeGitHub({ model: 'model.onnx', 'fail-on': 'always' });
    expect(await runAction(gh)).toBe(2);
    expect(gh.failures).toEqual(['input "fail-on" must be one of violation, never, got "always"']);
    expect(gh.outputs).toEqual({});
    expect(planCalls).toHaveLength(0);
  });

  test('a missing model fails with exit 2', async () => {
    const gh = fakeGitHub({});
    expect(await runAction(gh)).toBe(2);
    expect(gh.failures).toEqual([
      'input "model" is required: the path of the ONNX or PyTorch model to convert',
    ]);
  });

  test('a non-boolean cache or upload-artifacts value fails with exit 2', async () => {
    const cacheGh = fakeGitHub({ model: 'model.onnx', cache: 'yes' });
    expect(await runAction(cacheGh)).toBe(2);
    expect(cacheGh.failures).toEqual(['input "cache" must be true or false, got "yes"']);
    const uploadGh = fakeGitHub({ model: 'model.onnx', 'upload-artifacts': '1' });
    expect(await runAction(uploadGh)).toBe(2);
    expect(uploadGh.failures).toEqual(['input "upload-artifacts" must be true or false, got "1"']);
  });

  test('empty inputs take the action.yml defaults; defaulted targets/precisions leave convert.yml in charge', () => {
    expect(readActionInputs(fakeGitHub({ model: ' model.onnx ', targets: 'onnx' }))).toEqual({
      model: 'model.onnx',
      targets: undefined,
      precisions: undefined,
      config: undefined,
      sampleInputs: undefined,
      tolerance: undefined,
      outDir: 'model-convert-out',
      cache: true,
      uploadArtifacts: true,
      artifactName: undefined,
      failOn: 'violation',
      retentionDays: undefined,
      matrix: undefined,
      baseline: undefined,
      regressionMargin: 0.1,
      release: false,
      githubToken: undefined,
    });
  });

  test('given inputs are passed through, booleans accept False/TRUE', () => {
    const inputs = readActionInputs(
      fakeGitHub({
        model: 'm.onnx',
        targets: 'onnx,webgpu',
        precisions: 'fp16\nint4',
        config: 'convert.yml',
        inputs: 'samples.npz',
        tolerance: 'loose',
        'output-dir': 'out',
        cache: 'False',
        'upload-artifacts': 'TRUE',
        'artifact-name': 'my-models',
        'fail-on': 'never',
        'retention-days': '7',
        matrix: '{"target":"onnx"}',
        baseline: 'base/report.json',
        'regression-margin': '0.25',
        release: 'true',
        'github-token': 'ghs_x',
      }),
    );
    expect(inputs).toEqual({
      model: 'm.onnx',
      targets: 'onnx,webgpu',
      precisions: 'fp16\nint4',
      config: 'convert.yml',
      sampleInputs: 'samples.npz',
      tolerance: 'loose',
      outDir: 'out',
      cache: false,
      uploadArtifacts: true,
      artifactName: 'my-models',
      failOn: 'never',
      retentionDays: 7,
      matrix: '{"target":"onnx"}',
      baseline: 'base/report.json',
      regressionMargin: 0.25,
      release: true,
      githubToken: 'ghs_x',
    });
  });
});

describe('error policy', () => {
  test('a UserError from makePlan fails with its one-line message and exit 2', async () => {
    const gh = fakeGitHub({ model: 'missing.onnx' });
    expect(await runAction(gh)).toBe(2);
    expect(gh.failures).toEqual(['missing.onnx: no such file. Check the model input.']);
  });

  test('any other error fails with exit 1 and its stack', async () => {
    const gh = fakeGitHub({ model: 'bug.onnx' });
    expect(await runAction(gh)).toBe(1);
    expect(gh.failures).toHaveLength(1);
    expect(gh.failures[0].startsWith('TypeError: cannot read properties of undefined\n    at ')).toBe(true);
  });
});

describe('deriveArtifactName', () => {
  test('model base name and job id', () => {
    expect(deriveArtifactName('examples/tiny/model.onnx', { GITHUB_JOB: 'convert' })).toBe(
      'model-convert-model-convert',
    );
    expect(deriveArtifactName('C:\\models\\bert-base.pt', { GITHUB_JOB: 'build' })).toBe(
      'model-convert-bert-base-build',
    );
  });

  test('without GITHUB_JOB the job part is left out', () => {
    expect(deriveArtifactName('vit.onnx', {})).toBe('model-convert-vit');
  });

  test('characters outside [A-Za-z0-9._-] become single dashes', () => {
    expect(deriveArtifactName('my model (v2)!.onnx', { GITHUB_JOB: 'job/with:colons' })).toBe(
      'model-convert-my-model-v2-job-with-colons',
    );
  });

  test('a matrix adds a deterministic 8-hex hash that ignores key order and whitespace', () => {
    const a = deriveArtifactName('vit.onnx', {
      GITHUB_JOB: 'convert',
      MATRIX_CONTEXT: '{"os":"ubuntu","precision":"int4"}',
    });
    const b = deriveArtifactName('vit.onnx', {
      GITHUB_JOB: 'convert',
      MATRIX_CONTEXT: '{\n  "precision": "int4",\n  "os": "ubuntu"\n}',
    });
    const c = deriveArtifactName('vit.onnx', {
      GITHUB_JOB: 'convert',
      MATRIX_CONTEXT: '{"os":"ubuntu","precision":"fp16"}',
    });
    expect(a).toMatch(/^model-convert-vit-convert-[0-9a-f]{8}$/);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(deriveArtifactName('vit.onnx', { GITHUB_JOB: 'convert', MATRIX_CONTEXT: 'null' })).toBe(
      'model-convert-vit-convert',
    );
  });
});

describe('formatViolationsSummary', () => {
  test('lists failing and erroring variants with their violated bounds', () => {
    const r = report(
      [
        variant({ target: 'onnx', precision: 'fp32' }),
        int4Violation,
        variant({
          target: 'webgpu',
          precision: 'int2',
          status: 'error',
          reason: 'webgpu: op GridSample has\nno kernel',
        }),
        variant({ target: 'webnn', precision: 'int3', status: 'skipped', reason: 'no 3-bit type' }),
      ],
      false,
    );
    expect(formatViolationsSummary(r)).toBe(
      'onnx/int4 (rel_l2 0.2 > 0.1), webgpu/int2 (error: webgpu: op GridSample has no kernel)',
    );
  });

  test('names the output when a variant has several, and lower bounds use <', () => {
    const v = variant({
      target: 'openvino',
      precision: 'int8',
      outputs: { a: metrics({ cosine: 0.95 }), b: metrics({ rel_l2: 0.3, cosine: 0.999 }) },
      status: 'fail',
    });
    expect(formatViolationsSummary(report([v], false))).toBe(
      'openvino/int8 (cosine 0.95 < 0.99 on a, rel_l2 0.3 > 0.1 on b)',
    );
  });

  test('caps the list at 10 variants', () => {
    const failing = Array.from({ length: 12 }, (_, i) => ({ ...int4Violation, precision: `int4-${i}` }));
    const text = formatViolationsSummary(report(failing, false));
    expect(text.endsWith('onnx/int4-9 (rel_l2 0.2 > 0.1), … and 2 more (see report.json)')).toBe(true);
  });
});

describe('runAction around the pipeline', () => {
  test('a passing run sets every output, uploads the output folder and writes summary.md to the job summary', async () => {
    const gh = fakeGitHub(
      { model: 'examples/tiny/model.onnx', 'output-dir': outDir, tolerance: 'strict' },
      { env: { GITHUB_JOB: 'convert' }, artifacts: 'record' },
    );
    expect(await runAction(gh)).toBe(0);
    expect(planCalls).toEqual([
      {
        model: 'examples/tiny/model.onnx',
        targets: undefined,
        precisions: undefined,
        config: undefined,
        inputs: undefined,
        tolerance: 'strict',
        outDir,
        cache: true,
      },
    ]);
    expect(gh.outputs).toEqual({
      [Outputs.Passed]: 'true',
      [Outputs.Report]: path.join(outDir, 'report.json'),
      [Outputs.Summary]: path.join(outDir, 'summary.md'),
      [Outputs.CacheHit]: 'false',
      [Outputs.ArtifactId]: '4242',
      [Outputs.Regressed]: 'false',
      [Outputs.ReleaseUrl]: '',
    });
    expect(gh.uploads).toEqual([
      {
        name: 'model-convert-model-convert',
        files: [
          path.join(outDir, 'onnx', 'fp32', 'model.onnx'),
          path.join(outDir, 'report.json'),
          path.join(outDir, 'summary.md'),
        ],
        rootDir: outDir,
      },
    ]);
    expect(gh.summaries).toEqual(['## summary from runPipeline\n']);
    expect(gh.failures).toEqual([]);
    expect(gh.infos).toContain('verify onnx/fp32');
    expect(gh.warnings).toEqual([
      'cache skipped: no Actions runtime token (ACTIONS_RUNTIME_TOKEN); running without the Actions cache',
    ]);
  });

  test('the cache store reaches the pipeline when enabled and is withheld when cache is false', async () => {
    const store: CacheStore = { kind: 'memory', restore: async () => false, save: async () => {} };
    const enabled = fakeGitHub(
      { model: 'm.onnx', 'output-dir': outDir, 'upload-artifacts': 'false' },
      { cache: store },
    );
    expect(await runAction(enabled)).toBe(0);
    expect(hookCalls[0].cache).toBe(store);
    const disabled = fakeGitHub(
      { model: 'm.onnx', 'output-dir': outDir, cache: 'false', 'upload-artifacts': 'false' },
      { cache: store },
    );
    expect(await runAction(disabled)).toBe(0);
    expect(hookCalls[1].cache).toBeUndefined();
    expect(disabled.warnings).toEqual([]);
    expect(disabled.outputs[Outputs.ArtifactId]).toBe('');
  });

  test('a violation fails the step with exit 1 after setting the outputs', async () => {
    pipelineReport = report([variant({ target: 'onnx', precision: 'fp32' }), int4Violation], false, true);
    const gh = fakeGitHub({ model: 'm.onnx', 'output-dir': outDir, 'upload-artifacts': 'false' });
    expect(await runAction(gh)).toBe(1);
    expect(gh.failures).toEqual(['accuracy out of tolerance: onnx/int4 (rel_l2 0.2 > 0.1)']);
    expect(gh.outputs[Outputs.Passed]).toBe('false');
    expect(gh.outputs[Outputs.CacheHit]).toBe('true');
  });

  test('fail-on: never reports a violation as a warning and exits 0', async () => {
    pipelineReport = report([int4Violation], false);
    const gh = fakeGitHub({
      model: 'm.onnx',
      'output-dir': outDir,
      'upload-artifacts': 'false',
      'fail-on': 'never',
    });
    expect(await runAction(gh)).toBe(0);
    expect(gh.failures).toEqual([]);
    expect(gh.outputs[Outputs.Passed]).toBe('false');
    expect(gh.warnings).toContain('accuracy out of tolerance (fail-on: never): onnx/int4 (rel_l2 0.2 > 0.1)');
  });

  test('artifact and job summary trouble are warnings, never failures', async () => {
    const gh = fakeGitHub(
      { model: 'm.onnx', 'output-dir': outDir, 'artifact-name': 'named', cache: 'false' },
      {
        artifacts: {
          upload: async () => {
            throw new Error('artifact service unavailable');
          },
        },
      },
    );
    gh.writeSummary = async () => {
      throw new Error('Unable to find environment variable for $GITHUB_STEP_SUMMARY');
    };
    expect(await runAction(gh)).toBe(0);
    expect(gh.failures).toEqual([]);
    expect(gh.outputs[Outputs.ArtifactId]).toBe('');
    expect(gh.warnings).toEqual([
      `artifact upload failed for named: artifact service unavailable; the outputs stay on the runner in ${outDir}`,
      'job summary skipped: Unable to find environment variable for $GITHUB_STEP_SUMMARY',
    ]);
  });

  test('without a runtime token artifacts are skipped with a warning', async () => {
    const gh = fakeGitHub({ model: 'm.onnx', 'output-dir': outDir, cache: 'false' });
    expect(await runAction(gh)).toBe(0);
    expect(gh.warnings).toEqual([
      `artifacts skipped: no Actions runtime token (ACTIONS_RUNTIME_TOKEN); the outputs stay on the runner in ${outDir}`,
    ]);
  });

  test('a token without a cache service URL names the missing URL', async () => {
    const gh = fakeGitHub(
      { model: 'm.onnx', 'output-dir': outDir, 'upload-artifacts': 'false' },
      { env: { ACTIONS_RUNTIME_TOKEN: 't' } },
    );
    expect(await runAction(gh)).toBe(0);
    expect(gh.warnings).toEqual([
      'cache skipped: no Actions cache service URL (ACTIONS_CACHE_URL or ACTIONS_RESULTS_URL); running without the Actions cache',
    ]);
  });
});

describe('realGitHubIO', () => {
  test('cache and artifacts exist only with the Actions runtime token and a cache URL', () => {
    expect(realGitHubIO({}).cache).toBeUndefined();
    expect(realGitHubIO({}).artifacts).toBeUndefined();
    const tokenOnly = realGitHubIO({ ACTIONS_RUNTIME_TOKEN: 't' });
    expect(tokenOnly.cache).toBeUndefined();
    expect(tokenOnly.artifacts).toBeDefined();
    const full = realGitHubIO({
      ACTIONS_RUNTIME_TOKEN: 't',
      ACTIONS_RESULTS_URL: 'https://results.example/',
    });
    expect(full.cache?.kind).toBe('actions-cache');
    expect(
      realGitHubIO({ ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_CACHE_URL: 'https://cache.example/' }).cache,
    ).toBeDefined();
  });
});

describe('action.yml', () => {
  const actionYmlPath = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'action.yml');

  test('declares exactly the inputs and outputs of io-names.ts, with the same defaults', async () => {
    const action = parseYaml(await readFile(actionYmlPath, 'utf8')) as {
      inputs: Record<string, { default?: string; required?: boolean }>;
      outputs: Record<string, unknown>;
      runs: { using: string; main: string };
    };
    expect(Object.keys(action.inputs).sort()).toEqual(Object.values(Inputs).sort());
    expect(Object.keys(action.outputs).sort()).toEqual(Object.values(Outputs).sort());
    for (const [name, spec] of Object.entries(action.inputs)) {
      // An expression default (github-token: ${{ github.token }}) only the runner evaluates.
      const declared = (spec.default ?? '').startsWith('${{') ? '' : (spec.default ?? '');
      expect([name, declared]).toEqual([name, INPUT_DEFAULTS[name as keyof typeof INPUT_DEFAULTS]]);
    }
    expect(action.inputs['github-token'].default).toBe('${{ github.token }}');
    expect(action.inputs.model.required).toBe(true);
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });
});
