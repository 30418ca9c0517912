// compareWithBaseline: relative growth of rel_l2 and 1 − cosine beyond the margin regresses a
// variant even inside its tolerance; growth under the noise floor never does; deltas render
// as a table and the verdict turns to "regressed".

import {
  compareWithBaseline,
  formatGrowth,
  formatRegressions,
  overallPassed,
  renderBaselineSection,
} from '../../src/report/regression.js';
import { renderSummary } from '../../src/report/summary.js';
import type { Report, VariantReport } from '../../src/report/types.js';
import type { Metrics } from '../../src/verify/types.js';

function metrics(relL2: number, cosine: number): Metrics {
  return { max_abs: 0, mean_abs: 0, rel_l2: relL2, cosine, snr_db: 40, top1_agree: null, nan: 0, inf: 0 };
}

function variant(
  precision: string,
  relL2: number,
  cosine: number,
  fields: Partial<VariantReport> = {},
): VariantReport {
  return {
    target: 'onnx',
    precision,
    files: [`onnx/${precision}/model.onnx`],
    bytes: 100,
    compression: 0.3,
    reference: 'source',
    runtime: 'ort',
    metrics: metrics(relL2, cosine),
    outputs: { logits: metrics(relL2, cosine) },
    tolerance: { rel_l2: 0.1, cosine: 0.99 },
    status: 'pass',
    samples: 3,
    seconds: { convert: 0, verify: 0 },
    ...fields,
  };
}

function report(variants: VariantReport[]): Report {
  return {
    tool: { name: 'model-convert', version: '0.1.0' },
    model: { path: 'm.onnx', sha256: 'ab'.repeat(32), format: 'onnx', bytes: 100, parameters: 10 },
    variants,
    hardware: {},
    cache: { hit: false, key: '' },
    passed: variants.every((v) => v.status === 'pass'),
  };
}

const margin = { margin: 0.1, source: 'base.json' };

test('rel_l2 growing 60% inside the tolerance regresses; 8% does not', () => {
  const base = report([variant('int4', 0.03, 0.999), variant('int8', 0.01, 0.9999)]);
  const now = report([variant('int4', 0.048, 0.999), variant('int8', 0.0108, 0.9999)]);
  const c = compareWithBaseline(now, base, margin);
  expect(c.regressed).toBe(true);
  expect(c.variants.map((v) => [v.precision, v.regressed])).toEqual([
    ['int4', true],
    ['int8', false],
  ]);
  expect(c.variants[0].growth.rel_l2).toBeCloseTo(0.6, 10);
  expect(c.variants[0].reason).toBe('rel_l2 0.03 → 0.048 (+60%, margin 10%)');
  expect(formatRegressions(c)).toBe('onnx/int4 (rel_l2 0.03 → 0.048 (+60%, margin 10%))');
  expect(overallPassed({ ...now, baseline: c })).toBe(false);
});

test('1 − cosine growth regresses on its own', () => {
  const c = compareWithBaseline(
    report([variant('int4', 0.03, 0.997)]),
    report([variant('int4', 0.03, 0.999)]),
    margin,
  );
  expect(c.variants[0].reason).toBe('1 − cosine 0.001 → 0.003 (+200%, margin 10%)');
});

test('growth below 10% of the tolerance bound is noise: fp32 1e-7 → 2.5e-7 passes, → 5e-7 does not', () => {
  const fp32 = { tolerance: { rel_l2: 2e-6, cosine: 0.99999 } };
  const base = report([variant('fp32', 1e-7, 1, fp32)]);
  const noisy = compareWithBaseline(report([variant('fp32', 2.5e-7, 1 - 1e-13, fp32)]), base, margin);
  expect(noisy.regressed).toBe(false);
  expect(noisy.variants[0].growth.rel_l2).toBeCloseTo(1.5, 10);
  expect(noisy.variants[0].growth.one_minus_cosine).toBeNull();
  const worse = compareWithBaseline(report([variant('fp32', 5e-7, 1, fp32)]), base, margin);
  expect(worse.variants[0].reason).toBe('rel_l2 1e-7 → 5e-7 (+400%, margin 10%)');
});

test('a variant that passed before and fails now regresses; new and removed variants never do', () => {
  const c = compareWithBaseline(
    report([variant('int4', 0.2, 0.98, { status: 'fail' }), variant('int2', 0.3, 0.95)]),
    report([variant('int4', 0.2, 0.98), variant('int8', 0.01, 0.9999)]),
    { margin: 0.5, source: 'cache k' },
  );
  expect(c.variants.map((v) => [v.precision, v.regressed, v.reason])).toEqual([
    ['int4', true, 'passed on the base branch, now fail'],
    ['int2', false, ''],
    ['int8', false, ''],
  ]);
  expect(c.variants[1].baseline).toBeNull();
  expect(c.variants[2].current).toBeNull();
});

test('the summary shows the deltas table and a regressed verdict', () => {
  const now = report([variant('int4', 0.048, 0.999)]);
  now.baseline = compareWithBaseline(now, report([variant('int4', 0.03, 0.999)]), margin);
  const section = renderBaselineSection(now.baseline);
  expect(section).toContain('### Compared with the base branch — ❌ regressed');
  expect(section).toContain('Baseline: base.json · margin +10%');
  expect(section).toContain(
    '| onnx/int4 | 0.03 → 0.048 | +60% | 0.001 → 0.001 | 0% | ❌ rel_l2 0.03 → 0.048 (+60%, margin 10%) |',
  );
  const markdown = renderSummary(now);
  expect(markdown.split('\n')[0]).toBe('## model-convert: m.onnx — ❌ regressed against the base branch');
  expect(markdown).toContain(section);
});

test('formatGrowth: percent, new, unknown', () => {
  expect(formatGrowth(0.604)).toBe('+60%');
  expect(formatGrowth(-0.12)).toBe('-12%');
  expect(formatGrowth(null, 0, 0.01)).toBe('new');
  expect(formatGrowth(null, 0, 0)).toBe('0%');
  expect(formatGrowth(null)).toBe('—');
});
