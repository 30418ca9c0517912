// renderSummary: exact Markdown for a two-target report, details for failing variants,
// escaping of model-derived names, and the byte limit on huge reports.

import { findViolations, formatBytes, formatMetric, renderSummary } from '../../src/report/summary.js';
import type { Report, VariantReport } from '../../src/report/types.js';
import type { Metrics } from '../../src/verify/types.js';

function metrics(overrides: Partial<Metrics> = {}): Metrics {
  return {
    max_abs: 0,
    mean_abs: 0,
    rel_l2: 0,
    cosine: 1,
    snr_db: Infinity,
    top1_agree: 1,
    nan: 0,
    inf: 0,
    ...overrides,
  };
}

function variant(
  fields: Partial<VariantReport> & Pick<VariantReport, 'target' | 'precision'>,
): VariantReport {
  return {
    files: [`${fields.target}/${fields.precision}/model.onnx`],
    bytes: 1024,
    compression: 1,
    reference: 'source',
    runtime: 'onnxruntime-node 1.30.0 cpu',
    outputs: {},
    tolerance: { rel_l2: 0.1, cosine: 0.99 },
    status: 'pass',
    samples: 4,
    seconds: { convert: 0.1, verify: 0.2 },
    ...fields,
  };
}

function report(variants: VariantReport[], fields: Partial<Report> = {}): Report {
  return {
    tool: { name: 'model-convert', version: '0.1.0' },
    model: {
      path: 'examples/tiny/model.onnx',
      sha256: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      format: 'onnx',
      bytes: 1258291,
      parameters: 314572,
    },
    variants,
    hardware: {},
    cache: { hit: false, key: '' },
    passed: variants.every((v) => v.status === 'pass' || v.status === 'skipped'),
    ...fields,
  };
}

const int4Metrics = metrics({
  max_abs: 0.5,
  mean_abs: 0.0375,
  rel_l2: 0.2,
  cosine: 0.98,
  snr_db: 13.979,
  top1_agree: 0.75,
});
const fp16Metrics = metrics({
  max_abs: 0.000345,
  mean_abs: 0.0000412,
  rel_l2: 0.0000012,
  cosine: 0.9999871,
  snr_db: 118.42,
});

const twoTargetReport = report(
  [
    variant({
      target: 'onnx',
      precision: 'fp32',
      bytes: 1258291,
      compression: 1,
      metrics: metrics(),
      outputs: { logits: metrics() },
    }),
    variant({
      target: 'onnx',
      precision: 'int4',
      bytes: 340000,
      compression: 0.2702,
      reference: 'onnx/fp32',
      metrics: int4Metrics,
      outputs: { logits: int4Metrics },
      status: 'fail',
    }),
    variant({
      target: 'webgpu',
      precision: 'fp16',
      files: ['webgpu/fp16/model.js', 'webgpu/fp16/model.weights.bin'],
      bytes: 629146,
      compression: 0.5,
      runtime: 'dawn (webgpu npm) vulkan',
      metrics: fp16Metrics,
      outputs: { logits: fp16Metrics },
    }),
    variant({
      target: 'webgpu',
      precision: 'int2',
      files: [],
      bytes: 0,
      compression: 0,
      runtime: '',
      status: 'error',
      reason: 'webgpu: op GridSample has no kernel <yet>',
    }),
  ],
  { cache: { hit: true, key: 'mc-0123abcd' } },
);

const expectedTwoTargetSummary = `## model-convert: model.onnx — ❌ failed

Model: onnx, 1.2 MiB, 314,572 parameters, sha256 \`0123456789ab\`

### onnx

| precision | bytes | compression | cosine | rel_l2 | max_abs | top-1 | status |
|---|--:|--:|--:|--:|--:|--:|---|
| fp32 | 1.2 MiB | 1.00× | 1 | 0 | 0 | 1 | ✅ pass |
| int4 | 332.0 KiB | 0.27× | 0.98 | 0.2 | 0.5 | 0.75 | ❌ fail |

### webgpu

| precision | bytes | compression | cosine | rel_l2 | max_abs | top-1 | status |
|---|--:|--:|--:|--:|--:|--:|---|
| fp16 | 614.4 KiB | 0.50× | 0.999987 | 1.2e-6 | 3.45e-4 | 1 | ✅ pass |
| int2 | — | — | — | — | — | — | ⚠️ error |

\`\`\`mermaid
quadrantChart
  title Size against error, one point per variant
  x-axis Smaller --> Larger
  y-axis Lower rel_l2 --> Higher rel_l2
  quadrant-1 Large and inaccurate
  quadrant-2 Small but inaccurate
  quadrant-3 Small and accurate
  quadrant-4 Large and accurate
  onnx fp32: [0.970, 0.030]
  onnx int4 fail: [0.270, 0.900]
  webgpu fp16: [0.500, 0.154]
\`\`\`

x: size relative to the source model (right edge 1.00×); y: rel_l2, log scale from 1e-7 (bottom) to 1 (top).

<details><summary>onnx/int4: rel_l2 0.2 > 0.1; cosine 0.98 &lt; 0.99</summary>

Reference: onnx/fp32 · runtime onnxruntime-node 1.30.0 cpu · 4 samples

| output | max_abs | mean_abs | rel_l2 | cosine | snr_db | top1_agree | nan | inf |
|---|--:|--:|--:|--:|--:|--:|--:|--:|
| logits | 0.5 | 0.0375 | 0.2 ❌ | 0.98 ❌ | 14.0 | 0.75 | 0 | 0 |
| _tolerance_ | — | — | ≤ 0.1 | ≥ 0.99 | — | — | — | — |

</details>

<details><summary>webgpu/int2: webgpu: op GridSample has no kernel &lt;yet></summary>

Reference: source · 4 samples

</details>

Hardware: 16 cores, NVIDIA H100

Cache: hit (key mc-0123abcd)
`;

describe('renderSummary', () => {
  test('renders the exact Markdown for a two-target report', () => {
    expect(renderSummary(twoTargetReport, { hardwareLine: 'Hardware: 16 cores, NVIDIA H100' })).toBe(
      expectedTwoTargetSummary,
    );
  });

  test('a passing report has the passed heading, no details and a cache miss line', () => {
    const passing = report([variant({ target: 'onnx', precision: 'fp32', metrics: metrics() })]);
    const markdown = renderSummary(passing);
    expect(markdown.startsWith('## model-convert: model.onnx — ✅ passed\n')).toBe(true);
    expect(markdown).not.toContain('<details>');
    expect(markdown).not.toContain('Hardware:');
    expect(markdown.endsWith('\n\nCache: miss\n')).toBe(true);
  });

  test('a failing variant gets a details block naming the violated metric, with its output and bound', () => {
    const failing = variant({
      target: 'openvino',
      precision: 'int8',
      metrics: metrics({ max_abs: 3, snr_db: 12.5 }),
      outputs: {
        last_hidden_state: metrics({ max_abs: 3, snr_db: 12.5 }),
        pooler_output: metrics({ max_abs: 0.01, snr_db: 40 }),
      },
      tolerance: { max_abs: 1, snr_db: 20 },
      status: 'fail',
    });
    const markdown = renderSummary(report([failing]));
    expect(markdown).toContain(
      '<details><summary>openvino/int8: max_abs 3 > 1 on last_hidden_state; snr_db 12.5 &lt; 20.0 on last_hidden_state</summary>',
    );
    expect(markdown).toContain('| last_hidden_state | 3 ❌ | 0 | 0 | 1 | 12.5 ❌ | 1 | 0 | 0 |');
    expect(markdown).toContain('| pooler_output | 0.01 | 0 | 0 | 1 | 40.0 | 1 | 0 | 0 |');
    expect(markdown).toContain('| _tolerance_ | ≤ 1 | — | — | — | ≥ 20.0 | — | — | — |');
  });

  test('per-output tolerance overrides decide the violation and get their own row', () => {
    const v = variant({
      target: 'onnx',
      precision: 'fp16',
      metrics: metrics({ rel_l2: 0.05 }),
      outputs: { logits: metrics({ rel_l2: 0.05 }), scores: metrics({ rel_l2: 0.05 }) },
      tolerance: { rel_l2: 0.1 },
      tolerance_per_output: { scores: { rel_l2: 0.01 } },
      status: 'fail',
    });
    expect(findViolations(v)).toEqual([
      { output: 'scores', metric: 'rel_l2', value: 0.05, bound: 0.01, kind: 'max' },
    ]);
    const markdown = renderSummary(report([v]));
    expect(markdown).toContain('| logits | 0 | 0 | 0.05 | 1 | ∞ | 1 | 0 | 0 |');
    expect(markdown).toContain('| scores | 0 | 0 | 0.05 ❌ | 1 | ∞ | 1 | 0 | 0 |');
    expect(markdown).toContain('| _tolerance: scores_ | — | — | ≤ 0.01 | — | — | — | — | — |');
  });

  test('escapes |, backticks and < in output names and the model path', () => {
    const bad = metrics({ rel_l2: 0.5 });
    const v = variant({
      target: 'onnx',
      precision: 'int4',
      metrics: bad,
      outputs: { 'out|a`b<c>': bad },
      status: 'fail',
    });
    const markdown = renderSummary(
      report([v], { model: { ...report([]).model, path: 'models/we|rd`<name>.onnx' } }),
    );
    expect(markdown.split('\n')[0]).toBe('## model-convert: we\\|rd\\`&lt;name>.onnx — ❌ failed');
    expect(markdown).toContain('| out\\|a\\`b&lt;c> | 0 | 0 | 0.5 ❌ | 1 | ∞ | 1 | 0 | 0 |');
    expect(markdown).toContain('<summary>onnx/int4: rel_l2 0.5 > 0.1</summary>');
  });

  test('a skipped variant shows ⏭️ skipped and its reason', () => {
    const skipped = variant({
      target: 'webnn',
      precision: 'int3',
      files: [],
      bytes: 0,
      status: 'skipped',
      reason: 'webnn has no 3-bit type',
    });
    const markdown = renderSummary(report([skipped]));
    expect(markdown).toContain('| int3 | — | — | — | — | — | — | ⏭️ skipped |');
    expect(markdown).toContain('<details><summary>webnn/int3: webnn has no 3-bit type</summary>');
  });

  test('drops the details blocks first when the text would exceed maxBytes', () => {
    const full = renderSummary(twoTargetReport);
    const withoutDetails = renderSummary(twoTargetReport, { maxBytes: Buffer.byteLength(full) - 1 });
    expect(withoutDetails).not.toContain('<details>');
    expect(withoutDetails).toContain('| int2 | — | — | — | — | — | — | ⚠️ error |');
    expect(withoutDetails).toContain('  webgpu fp16: [0.500, 0.154]\n```');
    expect(withoutDetails.endsWith('(bottom) to 1 (top).\n\nCache: hit (key mc-0123abcd)\n')).toBe(true);
  });

  test('a report with 50,000 variants stays within maxBytes and ends with the omission line', () => {
    const many: VariantReport[] = [];
    for (let i = 0; i < 50_000; i += 1) {
      many.push(
        variant({
          target: i % 2 === 0 ? 'onnx' : 'webgpu',
          precision: `int4-${i}`,
          metrics: metrics({ rel_l2: 0.5 }),
          outputs: { [`output_${i}`]: metrics({ rel_l2: 0.5 }) },
          status: 'fail',
        }),
      );
    }
    const markdown = renderSummary(report(many));
    const bytes = Buffer.byteLength(markdown, 'utf8');
    expect(bytes).toBeLessThanOrEqual(1_000_000);
    expect(bytes).toBeGreaterThan(990_000);
    expect(markdown).not.toContain('<details>');
    expect(markdown).toContain('| int4-0 | 1.0 KiB | 1.00× | 1 | 0.5 | 0 | 1 | ❌ fail |');
    expect(markdown).not.toContain('quadrantChart');
    const shownRows = markdown.split('\n').filter((line) => line.startsWith('| int4-')).length;
    const lastLine = markdown.trimEnd().split('\n').pop();
    expect(lastLine).toBe(`…${50_000 - shownRows} more rows omitted (see report.json)`);
    expect(markdown).toContain('\n\nCache: miss\n\n…');
  });

  test('a failing variant with a known divergence names the first diverging value and node', () => {
    const failing = variant({
      target: 'onnx',
      precision: 'int4',
      metrics: int4Metrics,
      outputs: { logits: int4Metrics },
      status: 'fail',
      divergence: {
        value: '/v/MatMul_output_0',
        node: '/v/MatMul',
        op_type: 'MatMul',
        metrics: metrics({ rel_l2: 0.012, cosine: 0.99993, max_abs: 0.05 }),
        sample: 0,
        compared: 7,
      },
    });
    expect(renderSummary(report([failing]))).toContain(
      '\n\nFirst divergence: value `/v/MatMul_output_0` from node `/v/MatMul` (MatMul): ' +
        'rel_l2 0.012, cosine 0.99993, max_abs 0.05 (sample 0, value 7 in graph order).\n\n</details>',
    );
  });

  test('the hardware line defaults to report.hardware.summary', () => {
    const passing = report([variant({ target: 'onnx', precision: 'fp32', metrics: metrics() })], {
      hardware: { summary: 'AMD EPYC · 16 cores (32 threads) · avx2 · 125.7 GiB · no GPU · linux x64' },
    });
    expect(renderSummary(passing)).toContain(
      '\n\nHardware: AMD EPYC · 16 cores (32 threads) · avx2 · 125.7 GiB · no GPU · linux x64\n\nCache: miss\n',
    );
  });

  test('a tiny maxBytes still bounds the result', () => {
    const markdown = renderSummary(twoTargetReport, { maxBytes: 40 });
    expect(Buffer.byteLength(markdown, 'utf8')).toBeLessThanOrEqual(40);
  });
});

describe('formatBytes', () => {
  test.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [1048575, '1.0 MiB'],
    [1258291, '1.2 MiB'],
    [5 * 1024 ** 3, '5.0 GiB'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatMetric', () => {
  test.each([
    ['cosine', 0.99998765, '0.999988'],
    ['cosine', 1, '1'],
    ['rel_l2', 0.0123456, '0.0123'],
    ['rel_l2', 0.2, '0.2'],
    ['rel_l2', 0.0000012, '1.2e-6'],
    ['rel_l2', 0.000123456, '1.23e-4'],
    ['rel_l2', 0, '0'],
    ['max_abs', 12.3456, '12.3'],
    ['max_abs', Number.NaN, 'NaN'],
    ['snr_db', 62.345, '62.3'],
    ['snr_db', Infinity, '∞'],
    ['top1_agree', 0.98765, '0.9877'],
    ['nan', 3, '3'],
  ] as const)('%s %d → %s', (name, value, text) => {
    expect(formatMetric(name, value)).toBe(text);
  });

  test('null (metric does not apply) prints a dash', () => {
    expect(formatMetric('top1_agree', null)).toBe('—');
  });
});
