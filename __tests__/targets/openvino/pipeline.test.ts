// The openvino target through the pipeline and the CLI: every shared fixture converts at fp32
// and passes the IR round trip at the fp32 tolerance; old-exporter fixtures convert at every
// precision; a model with unsupported ops gets one exit-2 line naming all of them.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../../src/cli/main.js';
import { onnx } from '../../../src/onnx/proto/index.js';
import { makePlan } from '../../../src/pipeline/plan.js';
import { runPipeline } from '../../../src/pipeline/run.js';
import type { Report } from '../../../src/report/types.js';
import { ROUND_TRIP_NOTE } from '../../../src/targets/openvino/runner.js';
import { modelFixtures, sharedFixtures } from './helpers.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-ov-pipeline-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await runCli(argv, { out: () => {}, err: (t) => (err += `${t}\n`) });
  return { code, err };
}

const SHARED = [
  'bert.legacy',
  'bert.dynamo_static',
  'vit.legacy',
  'vit.dynamo_static',
  'gpt2.dynamo_static',
  'llama.dynamo_static',
];

test.each(SHARED)('%s converts to openvino/fp32 and the IR round trip stays within 2e-6', async (name) => {
  const out = path.join(tmp, 'out');
  const plan = makePlan({
    model: path.join(sharedFixtures, `${name}.onnx`),
    targets: 'openvino',
    outDir: out,
    cache: false,
  });
  const report = await runPipeline(plan, { progress: () => {}, warn: () => {} });
  const v = report.variants[0];
  expect([v.target, v.precision, v.status]).toEqual(['openvino', 'fp32', 'pass']);
  expect(v.metrics!.rel_l2).toBeLessThanOrEqual(2e-6);
  expect(v.runtime).toMatch(/^openvino-ir-roundtrip via onnxruntime-node 1\.30\.\d+ cpu$/);
  expect(v.note).toBe(ROUND_TRIP_NOTE);
  expect(v.files).toEqual(['openvino/fp32/model.xml', 'openvino/fp32/model.bin']);
  expect(existsSync(path.join(out, 'openvino/fp32/model.bin'))).toBe(true);
});

test.each(['opset9_constants', 'opset11_conv'])(
  '%s (old exporter) converts at fp32, fp16, int8 and int4 through the CLI and every variant passes',
  async (name) => {
    const out = path.join(tmp, 'out');
    const r = await cli(
      'convert',
      path.join(modelFixtures, `${name}.onnx`),
      '--targets',
      'openvino',
      '--precision',
      'fp32,fp16,int8,int4',
      '--out',
      out,
      '--no-cache',
    );
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Report;
    expect(r.code).toBe(0);
    expect(report.variants.map((v) => `${v.precision}:${v.status}`)).toEqual([
      'fp32:pass',
      'fp16:pass',
      'int8:pass',
      'int4:pass',
    ]);
    expect(report.variants[0].metrics!.rel_l2).toBeLessThanOrEqual(2e-6);
    const int8Xml = readFileSync(path.join(out, 'openvino/int8/model.xml'), 'utf8');
    expect(int8Xml).toContain('element_type="u8"');
  },
);

function modelWithUnsupportedOps(file: string): void {
  const f32 = onnx.TensorProto.DataType.FLOAT;
  const vi = (name: string): onnx.ValueInfoProto =>
    new onnx.ValueInfoProto({
      name,
      type: { tensorType: { elemType: f32, shape: { dim: [{ dimValue: 2 }, { dimValue: 3 }] } } },
    });
  const model = new onnx.ModelProto({
    irVersion: 8,
    opsetImport: [
      { domain: '', version: 17 },
      { domain: 'com.example', version: 1 },
    ],
    graph: {
      name: 'g',
      input: [vi('x')],
      output: [vi('y')],
      node: [
        { opType: 'Relu', name: 'relu', input: ['x'], output: ['a'] },
        { opType: 'Hardmax', name: 'hardmax_1', input: ['a'], output: ['b'] },
        { opType: 'Swizzle', domain: 'com.example', name: 'custom_2', input: ['b'], output: ['c'] },
        {
          opType: 'Einsum',
          name: 'einsum_3',
          input: ['c'],
          output: ['y'],
          attribute: [{ name: 'equation', type: 3, s: new TextEncoder().encode('ij->ij') }],
        },
      ],
    },
  });
  writeFileSync(file, onnx.ModelProto.encode(model).finish());
}

test('a model with unsupported ops gets one exit-2 line listing every one of them, and no output', async () => {
  const model = path.join(tmp, 'unsupported.onnx');
  modelWithUnsupportedOps(model);
  const out = path.join(tmp, 'out');
  const r = await cli('convert', model, '--targets', 'openvino', '--out', out, '--no-cache');
  expect(r.code).toBe(2);
  const lines = r.err.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/node "hardmax_1" \(Hardmax\) has no OpenVINO IR mapping/);
  expect(lines[0]).toMatch(/node "custom_2" \(com\.example::Swizzle\) is in a custom domain/);
  expect(lines[0]).toMatch(/node "einsum_3" \(Einsum\) has no OpenVINO IR mapping/);
  expect(lines[0]).not.toMatch(/"relu"/);
  expect(existsSync(out)).toBe(false);
});
