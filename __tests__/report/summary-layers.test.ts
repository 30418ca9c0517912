// renderSummary: notes a reader must see (a target verified only by a round trip) and the
// per-layer precisions of mixed / auto variants with the bytes they saved.

import { renderSummary } from '../../src/report/summary.js';
import type { Report, VariantReport } from '../../src/report/types.js';

const metrics = {
  max_abs: 0.1,
  mean_abs: 0.01,
  rel_l2: 0.05,
  cosine: 0.999,
  snr_db: 26,
  top1_agree: 1,
  nan: 0,
  inf: 0,
};

function variant(
  fields: Partial<VariantReport> & Pick<VariantReport, 'target' | 'precision'>,
): VariantReport {
  return {
    files: [],
    bytes: 1000,
    compression: 0.25,
    reference: 'source',
    runtime: 'onnxruntime-node 1.30.0 cpu',
    metrics,
    outputs: { logits: metrics },
    tolerance: { rel_l2: 0.1, cosine: 0.99 },
    status: 'pass',
    samples: 3,
    seconds: { convert: 1, verify: 1 },
    ...fields,
  };
}

const report = (variants: VariantReport[]): Report => ({
  tool: { name: 'model-convert', version: '0.1.0' },
  model: { path: 'm.onnx', sha256: 'ab'.repeat(32), format: 'onnx', bytes: 4000, parameters: 1000 },
  variants,
  hardware: {},
  cache: { hit: false, key: 'k' },
  passed: true,
});

test('a note is shown under the tables', () => {
  const md = renderSummary(
    report([variant({ target: 'openvino', precision: 'fp32', note: 'only the IR round trip ran' })]),
  );
  expect(md).toContain('**Notes**\n\n- openvino/fp32: only the IR round trip ran');
});

test('auto lists each layer with its precision and the bytes saved against float32', () => {
  const md = renderSummary(
    report([
      variant({
        target: 'onnx',
        precision: 'auto',
        layers: [
          { node: 'q_proj', role: 'attention.q', precision: 'int2', bytes: 100, fp32Bytes: 1000 },
          { node: 'head', role: 'head', precision: 'int8', bytes: 300, fp32Bytes: 1000 },
        ],
      }),
      variant({
        target: 'onnx',
        precision: 'int4',
        layers: [{ node: 'x', role: 'linear', precision: 'int4', bytes: 1, fp32Bytes: 8 }],
      }),
    ]),
  );
  expect(md).toContain(
    '<details><summary>onnx/auto: layer precisions (2 weights, 400 B, 1.6 KiB saved against float32 (80%))</summary>',
  );
  expect(md).toContain('| q_proj | attention.q | int2 | 100 B |');
  expect(md).toContain('| head | head | int8 | 300 B |');
  expect(md).not.toContain('onnx/int4: layer precisions');
});
