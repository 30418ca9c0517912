// The CLI: every command's output and exit code, and one-line errors (exit 2, no stack,
// nothing written) for each kind of bad input.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { writeNpz } from '../../src/verify/inputs-file.js';

const repo = path.resolve(import.meta.dirname, '../..');
const tiny = path.join(repo, 'examples/tiny/model.onnx');
const models = path.join(repo, '__tests__/fixtures/models');
const shared = path.resolve(repo, '../shared/fixtures');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    out: (t) => (out += t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => (err += `${t}\n`),
  });
  return { code, out, err };
}

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-cli-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('convert', () => {
  test('the example converts, passes and writes report.json with the contract keys', async () => {
    const out = path.join(tmp, 'out');
    const r = await cli(
      'convert',
      tiny,
      '--config',
      path.join(repo, 'examples/tiny/convert.yml'),
      '--out',
      out,
      '--no-cache',
      '--json',
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(JSON.parse(r.out)).toEqual(report);
    expect(Object.keys(report).sort()).toEqual(['cache', 'hardware', 'model', 'passed', 'tool', 'variants']);
    expect(report.passed).toBe(true);
    const v = report.variants[0];
    expect([v.target, v.precision, v.status, v.reference]).toEqual(['onnx', 'fp32', 'pass', 'source']);
    expect(v.files).toEqual(['onnx/fp32/model.onnx']);
    expect(v.metrics.rel_l2).toBe(0);
    expect(v.tolerance.max_abs).toBe(1e-5);
    expect(v.runtime).toMatch(/^onnxruntime-node 1\.30\.0 cpu$/);
    expect(readFileSync(path.join(out, 'summary.md'), 'utf8')).toContain('| fp32 |');
    expect(readdirSync(tmp)).toEqual(['out']);
  });

  test('several inputs and outputs, If subgraphs, Loop/Scan and external data pass with rel_l2 ≤ 1e-6', async () => {
    for (const m of [
      'multi_io.onnx',
      'if_subgraph.onnx',
      'loop_scan.onnx',
      'external/model.onnx',
      'opset9_constants.onnx',
    ]) {
      const out = path.join(tmp, m.replace(/\W/g, '_'));
      const r = await cli('convert', path.join(models, m), '--out', out, '--no-cache', '--json');
      const report = JSON.parse(r.out);
      expect([m, r.code, report.variants[0].status]).toEqual([m, 0, 'pass']);
      expect(report.variants[0].metrics.rel_l2).toBeLessThanOrEqual(1e-6);
      expect(Object.keys(report.variants[0].outputs).length).toBeGreaterThanOrEqual(1);
    }
    expect(readdirSync(path.join(tmp, 'external_model_onnx/onnx/fp32')).sort()).toEqual([
      'model.onnx',
      'model.onnx.data',
    ]);
  });

  test.each([
    [['convert', 'nope.onnx'], /nope\.onnx: file not found/],
    [
      ['convert', '__TINY__', '--targets', 'tflite'],
      /unknown target "tflite"\. Use one of: onnx, openvino, webnn, webgpu/,
    ],
    [['convert', '__TINY__', '--precision', 'int5'], /unknown precision "int5"/],
    [
      ['convert', '__TINY__', '--targets', 'openvino', '--precision', 'int3'],
      /precision "int3" is not available for target "openvino"/,
    ],
    [['convert', '__TINY__', '--samples', 'many'], /--samples must be a whole number/],
    [['convert', '__TINY__', '--tolerance', 'tight'], /tight/],
  ])('%j → exit 2 with one line', async (argv, message) => {
    const out = path.join(tmp, 'out');
    const r = await cli(...argv.map((a) => (a === '__TINY__' ? tiny : a)), '--out', out, '--no-cache');
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  test('not-ONNX bytes, a truncated model and a malformed config are exit 2 with nothing written', async () => {
    const junk = path.join(tmp, 'junk.onnx');
    writeFileSync(junk, 'this is not a model\n'.repeat(20));
    const truncated = path.join(tmp, 'trunc.onnx');
    const bytes = readFileSync(path.join(shared, 'vit.legacy.onnx'));
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const badYaml = path.join(tmp, 'bad.yml');
    writeFileSync(badYaml, 'targets: [onnx\nprecisions: fp32\n');
    const unknownKey = path.join(tmp, 'unknown.yml');
    writeFileSync(unknownKey, 'precision: fp32\n');
    const cases: [string[], RegExp][] = [
      [[junk], /junk\.onnx: not (a valid )?(an )?ONNX model/],
      [[truncated], /trunc\.onnx: not a valid ONNX model/],
      [[tiny, '--config', badYaml], /bad\.yml: not valid YAML/],
      [[tiny, '--config', unknownKey], /unknown\.yml: "precision" is not a convert\.yml key/],
    ];
    for (const [args, message] of cases) {
      const out = path.join(tmp, 'out');
      const r = await cli('convert', ...args, '--out', out, '--no-cache');
      expect([r.code, r.err.trim().split('\n').length]).toEqual([2, 1]);
      expect(r.err).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  });

  test('an inputs file whose names or shapes do not match the model is exit 2 naming the input', async () => {
    const wrongName = path.join(tmp, 'wrong.npz');
    writeNpz(wrongName, { ids: { dtype: 'int64', dims: [1, 4], data: new BigInt64Array(4) } });
    const wrongShape = path.join(tmp, 'shape.npz');
    writeNpz(wrongShape, {
      input_ids: { dtype: 'int64', dims: [1, 4, 1], data: new BigInt64Array(4) },
      attention_mask: { dtype: 'int64', dims: [1, 4], data: new BigInt64Array(4).fill(1n) },
    });
    for (const [file, message] of [
      [wrongName, /"ids".*input_ids/],
      [wrongShape, /input_ids/],
    ] as const) {
      const out = path.join(tmp, 'out');
      const r = await cli('convert', tiny, '--inputs', file, '--out', out, '--no-cache');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  });

  test('an inputs file that matches is used as the only sample', async () => {
    const file = path.join(tmp, 'ok.npz');
    writeNpz(file, {
      input_ids: { dtype: 'int64', dims: [1, 5], data: BigInt64Array.from([1n, 2n, 3n, 4n, 63n]) },
      attention_mask: { dtype: 'int64', dims: [1, 5], data: BigInt64Array.from([1n, 1n, 1n, 0n, 0n]) },
    });
    const r = await cli(
      'convert',
      tiny,
      '--inputs',
      file,
      '--out',
      path.join(tmp, 'o'),
      '--no-cache',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).variants[0].samples).toBe(1);
  });

  test('the local cache: a second run hits, a tampered entry is rebuilt', async () => {
    const cacheDir = path.join(tmp, 'cache');
    const run = async (): Promise<{ hit: boolean; rel: number }> => {
      const r = await cli('convert', tiny, '--out', path.join(tmp, 'o'), '--cache-dir', cacheDir, '--json');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.out);
      return { hit: report.cache.hit, rel: report.variants[0].metrics.rel_l2 };
    };
    expect(await run()).toEqual({ hit: false, rel: 0 });
    expect(await run()).toEqual({ hit: true, rel: 0 });
    const [entry] = readdirSync(cacheDir).filter((d) => !d.startsWith('.'));
    writeFileSync(path.join(cacheDir, entry, 'files', 'model.onnx'), 'tampered');
    expect(await run()).toEqual({ hit: false, rel: 0 });
    expect(readFileSync(path.join(cacheDir, entry, 'files', 'model.onnx')).length).toBeGreaterThan(40000);
  });
});

describe('verify', () => {
  test('a model against itself passes; one changed weight fails naming the output and its metrics', async () => {
    const ok = await cli('verify', tiny, tiny);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^PASS /);
    // Change one float of the largest initializer in a copy (raw_data, little-endian).
    const { readModel, writeModel } = await import('../../src/onnx/model-io.js');
    const m = readModel(tiny);
    const w = [...m.proto.graph!.initializer!].sort((a, b) => b.rawData!.length - a.rawData!.length)[0];
    const view = new DataView(w.rawData!.buffer, w.rawData!.byteOffset, w.rawData!.byteLength);
    view.setFloat32(0, view.getFloat32(0, true) + 0.5, true);
    const changed = path.join(tmp, 'changed.onnx');
    writeModel(m.proto, changed);
    const bad = await cli('verify', tiny, changed, '--json');
    expect(bad.code).toBe(1);
    const result = JSON.parse(bad.out);
    expect(result.status).toBe('fail');
    expect(result.violations[0].output).toBe('logits');
    expect(result.outputs.logits.rel_l2).toBeGreaterThan(2e-6);
    const text = await cli('verify', tiny, changed);
    expect(text.out).toMatch(/FAIL .*\n {2}logits: cosine .* rel_l2 /);
  });
});

describe('inspect, list, detect, find', () => {
  test('inspect prints ops, parameters, bytes and opsets', async () => {
    const r = await cli('inspect', path.join(shared, 'bert.legacy.onnx'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/opsets ai\.onnx 17/);
    expect(r.out).toMatch(/parameters [\d,]+;/);
    expect(r.out).toMatch(/MatMul\s+16/);
    const j = JSON.parse((await cli('inspect', tiny, '--json')).out);
    expect(j.parameters).toBe(10660);
    expect(j.bytes).toBe(readFileSync(tiny).length);
  });

  test('list names every target and precision and what this version provides', async () => {
    const j = JSON.parse((await cli('list', '--json')).out);
    expect(j.targets.map((t: { name: string }) => t.name)).toEqual(['onnx', 'openvino', 'webnn', 'webgpu']);
    expect(j.targets[0]).toMatchObject({
      name: 'onnx',
      available: true,
      precisions: ['fp32', 'fp16', 'int8', 'int4', 'int3', 'int2', 'mixed', 'auto'],
    });
    expect(j.targets.find((t: { name: string }) => t.name === 'webgpu').available).toBe(true);
    const ops = (name: string): string[] => j.targets.find((t: { name: string }) => t.name === name).ops;
    expect(ops('webgpu')).toEqual(
      expect.arrayContaining(['MatMul', 'Conv', 'LayerNormalization', 'com.microsoft::MatMulNBits']),
    );
    expect(ops('webnn')).toEqual(expect.arrayContaining(['MatMul', 'LayerNormalization', 'Softmax']));
    expect(ops('openvino')).toEqual(expect.arrayContaining(['Conv', 'LSTM', 'If']));
    expect(j.precisions.find((p: { name: string }) => p.name === 'fp32').available).toBe(true);
  });

  test('detect prints this machine’s CPU, cores and memory', async () => {
    const j = JSON.parse((await cli('detect', '--json')).out);
    expect(j.hardware.cpu.logicalCores).toBe(os.cpus().length);
    expect(j.hardware.memory.totalBytes).toBeGreaterThan(0);
    expect(j.recommendations[0]).toMatchObject({ target: 'onnx', precision: 'fp32' });
  });

  test('find lists models with format and size', async () => {
    copyFileSync(tiny, path.join(tmp, 'a.onnx'));
    const j = JSON.parse((await cli('find', tmp, '--json')).out);
    expect(j).toEqual([{ path: 'a.onnx', format: 'onnx', bytes: readFileSync(tiny).length }]);
  });

  test('--help exits 0; an unknown command or option exits 2', async () => {
    expect((await cli('--help')).code).toBe(0);
    expect((await cli('convert', '--help')).out).toMatch(/--targets/);
    expect((await cli('frobnicate')).code).toBe(2);
    expect((await cli('convert', tiny, '--bogus')).code).toBe(2);
  });
});

describe('the built CLI (dist/cli)', () => {
  test('a user error prints one line and no stack trace, exit 2', () => {
    const r = spawnSync(
      process.execPath,
      [path.join(repo, 'bin/model-convert.js'), 'convert', path.join(tmp, 'missing.onnx')],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^error: .*missing\.onnx: file not found/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
    expect(
      execFileSync(process.execPath, [path.join(repo, 'bin/model-convert.js'), '--version'], {
        encoding: 'utf8',
      }).trim(),
    ).toBe(pkg.version);
  });
});
