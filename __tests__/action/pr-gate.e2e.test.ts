// runAction end to end (real makePlan/runPipeline) with an in-memory GitHubIO: the PR gate
// against cached and file baselines, baseline storage on the default branch, the variant cache
// rebuilding a tampered entry, artifact names per matrix leg, release publishing to a fake API
// on 127.0.0.1, and the first diverging layer of a failing variant.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { baselineKeyPrefix } from '../../src/action/baseline.js';
import type { BaselineCache, GitHubIO } from '../../src/action/github-io.js';
import { runAction } from '../../src/action/main.js';
import type { CacheStore } from '../../src/pipeline/types.js';
import type { Report } from '../../src/report/types.js';
import { writeDropoutModel } from './fixtures/dropout-model.js';
import { startFakeGitHubApi } from './fixtures/fake-github-api.js';

const tinyModel = path.resolve(import.meta.dirname, '../../examples/tiny/model.onnx');
let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-gate-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

interface FakeGitHub extends GitHubIO {
  outputs: Record<string, string>;
  warnings: string[];
  infos: string[];
  failures: string[];
  summaries: string[];
  uploads: string[];
}

function fakeGitHub(
  inputs: Record<string, string>,
  options: { env?: Record<string, string>; cache?: CacheStore; baselineCache?: BaselineCache } = {},
): FakeGitHub {
  const gh: FakeGitHub = {
    outputs: {},
    warnings: [],
    infos: [],
    failures: [],
    summaries: [],
    uploads: [],
    getInput: (name) => inputs[name] ?? '',
    info: (m) => gh.infos.push(m),
    warning: (m) => gh.warnings.push(m),
    setFailed: (m) => gh.failures.push(m),
    setOutput: (name, value) => {
      gh.outputs[name] = value;
    },
    writeSummary: async (markdown) => {
      gh.summaries.push(markdown);
    },
    cache: options.cache,
    artifacts: {
      upload: async (name) => {
        gh.uploads.push(name);
        return { id: 1 };
      },
    },
    baselineCache: options.baselineCache,
    env: { GITHUB_JOB: 'convert', ...options.env },
  };
  return gh;
}

/** Baselines in memory; restore returns the newest key under the prefix, as the Actions cache does. */
function memoryBaselineCache(): BaselineCache & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    restore: async (prefix) => {
      const key = [...entries.keys()].reverse().find((k) => k.startsWith(prefix));
      return key === undefined ? undefined : { key, text: entries.get(key)! };
    },
    save: async (key, text) => {
      entries.set(key, text);
    },
  };
}

function prEvent(baseRef: string): Record<string, string> {
  const file = path.join(tmp, 'pr.json');
  writeFileSync(file, JSON.stringify({ pull_request: { number: 3, base: { ref: baseRef } } }));
  return { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: file };
}

/** A baseline report for the onnx/fp32 variant with the given error. */
function baselineReport(relL2: number, cosine: number): Report {
  const metrics = {
    max_abs: 0,
    mean_abs: 0,
    rel_l2: relL2,
    cosine,
    snr_db: 30,
    top1_agree: 1,
    nan: 0,
    inf: 0,
  };
  return {
    tool: { name: 'model-convert', version: '0.1.0' },
    model: { path: 'dropout.onnx', sha256: '00'.repeat(32), format: 'onnx', bytes: 1, parameters: 0 },
    variants: [
      {
        target: 'onnx',
        precision: 'fp32',
        files: ['onnx/fp32/model.onnx'],
        bytes: 1,
        compression: 1,
        reference: 'source',
        runtime: '',
        metrics,
        outputs: { y: metrics },
        tolerance: {},
        status: 'pass',
        samples: 3,
        seconds: { convert: 0, verify: 0 },
      },
    ],
    hardware: {},
    cache: { hit: false, key: '' },
    passed: true,
  };
}

/** A model whose fp32 variant differs from the source by rel_l2 ≈ 0.25, with bounds that let it pass. */
function dropoutInputs(): Record<string, string> {
  const tolerance = path.join(tmp, 'tolerance.yml');
  writeFileSync(tolerance, '- { rel_l2: 0.5, cosine: 0.5 }\n');
  return {
    model: writeDropoutModel(path.join(tmp, 'dropout.onnx')),
    tolerance,
    'output-dir': path.join(tmp, 'out'),
    cache: 'false',
  };
}

describe('PR gate', () => {
  test('a cached base-branch baseline with a smaller error fails the step as a regression', async () => {
    const inputs = dropoutInputs();
    const baselines = memoryBaselineCache();
    const prefix = baselineKeyPrefix('main', { model: inputs.model, job: 'convert', matrix: '' });
    baselines.entries.set(`${prefix}41-1`, JSON.stringify(baselineReport(0.02, 0.9998)));
    const gh = fakeGitHub(inputs, { env: prEvent('main'), baselineCache: baselines });
    expect(await runAction(gh)).toBe(1);
    expect(gh.failures).toHaveLength(1);
    expect(gh.failures[0]).toMatch(
      new RegExp(
        `^accuracy regressed against cache ${prefix}41-1: onnx/fp32 \\(rel_l2 0\\.02 → 0\\.\\d+ \\(\\+\\d+%, margin 10%\\)`,
      ),
    );
    expect(gh.outputs).toMatchObject({ passed: 'false', regressed: 'true' });
    expect(gh.summaries[0]).toContain('### Compared with the base branch — ❌ regressed');
    expect(gh.summaries[0]).toContain('```mermaid\nquadrantChart');
    const report = JSON.parse(readFileSync(gh.outputs.report, 'utf8')) as Report;
    expect(report.passed).toBe(true);
    expect(report.baseline?.regressed).toBe(true);
    expect(report.variants[0].metrics!.rel_l2).toBeGreaterThan(0.1);
    expect(readFileSync(gh.outputs.summary, 'utf8')).toBe(gh.summaries[0]);
  });

  test('a baseline file with a larger error passes, with the deltas in the summary', async () => {
    const baselineFile = path.join(tmp, 'baseline.json');
    writeFileSync(baselineFile, JSON.stringify(baselineReport(0.6, 0.8)));
    const gh = fakeGitHub({ ...dropoutInputs(), baseline: baselineFile });
    expect(await runAction(gh)).toBe(0);
    expect(gh.failures).toEqual([]);
    expect(gh.outputs).toMatchObject({ passed: 'true', regressed: 'false' });
    expect(gh.summaries[0]).toContain('### Compared with the base branch — ✅ no regression');
    expect(gh.summaries[0]).toMatch(
      /\| onnx\/fp32 \| 0\.6 → 0\.\d+ \| -\d+% \| 0\.2 → 0\.\d+ \| -\d+% \| ✅ \|/,
    );
  });

  test('fail-on: never turns a regression into a warning', async () => {
    const baselineFile = path.join(tmp, 'baseline.json');
    writeFileSync(baselineFile, JSON.stringify(baselineReport(0.01, 0.9999)));
    const gh = fakeGitHub({ ...dropoutInputs(), baseline: baselineFile, 'fail-on': 'never' });
    expect(await runAction(gh)).toBe(0);
    expect(
      gh.warnings.some((w) =>
        w.startsWith(`accuracy regressed against ${baselineFile} (fail-on: never): onnx/fp32`),
      ),
    ).toBe(true);
  });

  test('the default branch stores its report; a PR into it then compares with that baseline', async () => {
    const baselines = memoryBaselineCache();
    const pushEvent = path.join(tmp, 'push.json');
    writeFileSync(pushEvent, JSON.stringify({ repository: { default_branch: 'main' } }));
    const inputs = { model: tinyModel, 'output-dir': path.join(tmp, 'out'), cache: 'false' };
    const push = fakeGitHub(inputs, {
      env: {
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REF: 'refs/heads/main',
        GITHUB_EVENT_PATH: pushEvent,
        GITHUB_RUN_ID: '77',
      },
      baselineCache: baselines,
    });
    expect(await runAction(push)).toBe(0);
    const prefix = baselineKeyPrefix('main', { model: tinyModel, job: 'convert', matrix: '' });
    expect([...baselines.entries.keys()]).toEqual([`${prefix}77-1`]);

    const pr = fakeGitHub(inputs, { env: prEvent('main'), baselineCache: baselines });
    expect(await runAction(pr)).toBe(0);
    expect(pr.outputs.regressed).toBe('false');
    expect(pr.summaries[0]).toContain(`Baseline: cache ${prefix}77-1 · margin +10%`);
    expect(pr.summaries[0]).toContain('| onnx/fp32 | 0 → 0 | 0% | 0 → 0 | 0% | ✅ |');
  });

  test('a PR with no baseline yet runs without a gate and says why', async () => {
    const gh = fakeGitHub(
      { model: tinyModel, 'output-dir': path.join(tmp, 'out'), cache: 'false' },
      { env: prEvent('main'), baselineCache: memoryBaselineCache() },
    );
    expect(await runAction(gh)).toBe(0);
    expect(gh.infos.some((m) => m.startsWith('PR gate: no baseline for main yet'))).toBe(true);
    expect(gh.summaries[0]).not.toContain('Compared with the base branch');
  });

  test('a bad regression-margin is an input error', async () => {
    const gh = fakeGitHub({ model: tinyModel, 'regression-margin': '-1' });
    expect(await runAction(gh)).toBe(2);
    expect(gh.failures).toEqual([
      'input "regression-margin" must be a number ≥ 0 (relative growth allowed, 0.1 = 10%), got "-1"',
    ]);
  });
});

/** A CacheStore that keeps each entry's files in memory (relative path → bytes), for tampering. */
function memoryCacheStore(): CacheStore & { entries: Map<string, Map<string, Buffer>> } {
  const entries = new Map<string, Map<string, Buffer>>();
  const walk = (dir: string, prefix = ''): string[] =>
    readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(dir, path.join(prefix, e.name)) : [path.join(prefix, e.name)],
    );
  return {
    kind: 'memory',
    entries,
    restore: async (key, dir) => {
      const files = entries.get(key);
      if (!files) return false;
      for (const [rel, bytes] of files) {
        mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        writeFileSync(path.join(dir, rel), bytes);
      }
      return true;
    },
    save: async (key, dir) => {
      entries.set(key, new Map(walk(dir).map((rel) => [rel, readFileSync(path.join(dir, rel))])));
    },
  };
}

test('a tampered cache entry is rebuilt and saved again; an intact one is a hit', async () => {
  const store = memoryCacheStore();
  const inputs = { model: tinyModel, 'output-dir': path.join(tmp, 'out'), 'upload-artifacts': 'false' };
  const first = fakeGitHub(inputs, { cache: store });
  expect(await runAction(first)).toBe(0);
  expect(first.outputs['cache-hit']).toBe('false');
  expect(store.entries.size).toBe(1);
  const [files] = store.entries.values();
  const good = files.get(path.join('files', 'model.onnx'))!;

  const tamperedBytes = Buffer.from(good);
  tamperedBytes[tamperedBytes.length - 1] ^= 0xff;
  files.set(path.join('files', 'model.onnx'), tamperedBytes);
  const tampered = fakeGitHub(inputs, { cache: store });
  expect(await runAction(tampered)).toBe(0);
  expect(tampered.outputs['cache-hit']).toBe('false');
  expect(readFileSync(path.join(tmp, 'out', 'onnx', 'fp32', 'model.onnx')).equals(good)).toBe(true);
  const [saved] = store.entries.values();
  expect(saved.get(path.join('files', 'model.onnx'))!.equals(good)).toBe(true);

  const intact = fakeGitHub(inputs, { cache: store });
  expect(await runAction(intact)).toBe(0);
  expect(intact.outputs['cache-hit']).toBe('true');
});

test('artifact names differ across matrix values, from the matrix input or MATRIX_CONTEXT', async () => {
  const names: string[] = [];
  for (const matrix of ['{"target":"onnx"}', '{"target":"webgpu"}']) {
    const gh = fakeGitHub({ model: tinyModel, 'output-dir': path.join(tmp, 'out'), cache: 'false', matrix });
    expect(await runAction(gh)).toBe(0);
    names.push(...gh.uploads);
  }
  const fromEnv = fakeGitHub(
    { model: tinyModel, 'output-dir': path.join(tmp, 'out'), cache: 'false' },
    { env: { MATRIX_CONTEXT: '{ "target": "webgpu" }' } },
  );
  expect(await runAction(fromEnv)).toBe(0);
  expect(names[0]).toMatch(/^model-convert-model-convert-[0-9a-f]{8}$/);
  expect(names[1]).toMatch(/^model-convert-model-convert-[0-9a-f]{8}$/);
  expect(names[0]).not.toBe(names[1]);
  expect(fromEnv.uploads).toEqual([names[1]]);
});

test('release: true on a tag push attaches the variant, report and summary to the release', async () => {
  const api = await startFakeGitHubApi();
  try {
    const gh = fakeGitHub(
      {
        model: tinyModel,
        'output-dir': path.join(tmp, 'out'),
        cache: 'false',
        release: 'true',
        'github-token': 'ghs_t',
      },
      {
        env: {
          GITHUB_EVENT_NAME: 'push',
          GITHUB_REF: 'refs/tags/v0.1.0',
          GITHUB_API_URL: api.url,
          GITHUB_REPOSITORY: 'o/r',
        },
      },
    );
    expect(await runAction(gh)).toBe(0);
    expect(gh.failures).toEqual([]);
    expect(gh.outputs['release-url']).toBe('https://github.example/o/r/releases/tag/v0.1.0');
    expect(api.releases[0].assets.map((a) => a.name)).toEqual([
      'model-onnx-fp32-model.onnx',
      'model-convert-model-convert-report.json',
      'model-convert-model-convert-summary.md',
    ]);
    const attached = api.releases[0].assets[0].body;
    expect(attached.equals(readFileSync(path.join(tmp, 'out', 'onnx', 'fp32', 'model.onnx')))).toBe(true);
  } finally {
    await api.close();
  }
});

test('release: true outside a release or tag event is skipped with a warning', async () => {
  const gh = fakeGitHub(
    { model: tinyModel, 'output-dir': path.join(tmp, 'out'), cache: 'false', release: 'true' },
    { env: { GITHUB_EVENT_NAME: 'workflow_dispatch' } },
  );
  expect(await runAction(gh)).toBe(0);
  expect(gh.warnings).toContain(
    'release skipped: "workflow_dispatch" event; releases are published on release events and tag pushes',
  );
  expect(gh.outputs['release-url']).toBe('');
});

test('a failing ONNX variant reports the first diverging layer in report.json and the summary', async () => {
  const gh = fakeGitHub({
    model: writeDropoutModel(path.join(tmp, 'dropout.onnx')),
    'output-dir': path.join(tmp, 'out'),
    cache: 'false',
  });
  expect(await runAction(gh)).toBe(1);
  const report = JSON.parse(readFileSync(gh.outputs.report, 'utf8')) as Report;
  expect(report.variants[0].divergence).toMatchObject({ value: 'dropped', node: 'drop', op_type: 'Dropout' });
  expect(gh.summaries[0]).toMatch(
    /First divergence: value `dropped` from node `drop` \(Dropout\): rel_l2 0\.\d+/,
  );
});

test('a release the token cannot write fails the step after setting the outputs', async () => {
  const api = await startFakeGitHubApi({ failWith: 403 });
  try {
    const gh = fakeGitHub(
      {
        model: tinyModel,
        'output-dir': path.join(tmp, 'out'),
        cache: 'false',
        release: 'true',
        'github-token': 'ghs_t',
      },
      {
        env: {
          GITHUB_EVENT_NAME: 'push',
          GITHUB_REF: 'refs/tags/v1',
          GITHUB_API_URL: api.url,
          GITHUB_REPOSITORY: 'o/r',
        },
      },
    );
    expect(await runAction(gh)).toBe(1);
    expect(gh.failures).toEqual([
      'release publishing failed for v1: GitHub API GET /repos/o/r/releases/tags/v1 answered 403 (the token needs "permissions: contents: write"): {"message":"Resource not accessible by integration"}',
    ]);
    expect(gh.outputs).toMatchObject({ passed: 'true', 'release-url': '' });
  } finally {
    await api.close();
  }
});

test('a missing baseline file is an input error before anything is converted', async () => {
  const out = path.join(tmp, 'out');
  const gh = fakeGitHub({
    model: tinyModel,
    'output-dir': out,
    baseline: path.join(tmp, 'nope', 'report.json'),
  });
  expect(await runAction(gh)).toBe(2);
  expect(gh.failures).toEqual([
    `${path.join(tmp, 'nope', 'report.json')}: not found. Pass the path of a report.json written by model-convert.`,
  ]);
  expect(readdirSync(tmp)).not.toContain('out');
});
