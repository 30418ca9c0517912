// renderSizeErrorChart: a quadrantChart with one point per verified variant, coordinates in the
// only forms Mermaid's lexer accepts (0.ddd), names it can parse, and a log-scale error axis.

import { errorCoordinate, renderSizeErrorChart } from '../../src/report/size-error-chart.js';
import type { VariantReport } from '../../src/report/types.js';

function variant(fields: Partial<VariantReport>): VariantReport {
  return {
    target: 'onnx',
    precision: 'fp32',
    files: ['onnx/fp32/model.onnx'],
    bytes: 100,
    compression: 1,
    reference: 'source',
    runtime: 'ort',
    metrics: { max_abs: 0, mean_abs: 0, rel_l2: 0, cosine: 1, snr_db: 300, top1_agree: null, nan: 0, inf: 0 },
    outputs: {},
    tolerance: {},
    status: 'pass',
    samples: 1,
    seconds: { convert: 0, verify: 0 },
    ...fields,
  };
}

const withError = (relL2: number): VariantReport['metrics'] => ({
  max_abs: 0,
  mean_abs: 0,
  rel_l2: relL2,
  cosine: 1,
  snr_db: 0,
  top1_agree: null,
  nan: 0,
  inf: 0,
});

test('one point per verified variant, x relative to the widest, y on a log scale', () => {
  const chart = renderSizeErrorChart([
    variant({}),
    variant({ precision: 'int4', compression: 0.25, metrics: withError(1e-2) }),
    variant({
      target: 'webgpu',
      precision: 'int2',
      compression: 0.125,
      metrics: withError(3),
      status: 'fail',
    }),
    variant({ target: 'webnn', precision: 'int3', files: [], bytes: 0, metrics: undefined, status: 'error' }),
  ]);
  const points = chart.split('\n').filter((line) => /^ {2}[a-z].*: \[/.test(line));
  expect(points).toEqual([
    '  onnx fp32: [0.970, 0.030]',
    '  onnx int4: [0.250, 0.714]',
    '  webgpu int2 fail: [0.125, 0.970]',
  ]);
  expect(chart.startsWith('```mermaid\nquadrantChart\n')).toBe(true);
  expect(chart).toContain('\n```\n\nx: size relative to the source model (right edge 1.00×)');
  for (const line of points) expect(line).toMatch(/: \[0\.\d{3}, 0\.\d{3}\]$/);
});

test('names keep only letters, digits and spaces; a compression above 1 widens the x axis', () => {
  const chart = renderSizeErrorChart([
    variant({ target: 'web|gpu', precision: '4-bit(x)', compression: 2 }),
    variant({ target: '9', precision: 'fp32', compression: 1 }),
  ]);
  expect(chart).toContain('  web gpu 4 bit x: [0.970, 0.030]');
  expect(chart).toContain('  v 9 fp32: [0.500, 0.030]');
  expect(chart).toContain('right edge 2.00×');
});

test('no chart when no variant was verified', () => {
  expect(renderSizeErrorChart([variant({ metrics: undefined, status: 'error' })])).toBe('');
  expect(renderSizeErrorChart([])).toBe('');
});

test('errorCoordinate maps 1e-7 → 0, 1e-3.5 → 0.5, 1 → 1 and clamps outside', () => {
  expect(errorCoordinate(1e-7)).toBe(0);
  expect(errorCoordinate(10 ** -3.5)).toBeCloseTo(0.5, 12);
  expect(errorCoordinate(1)).toBe(1);
  expect(errorCoordinate(0)).toBe(0);
  expect(errorCoordinate(50)).toBe(1);
});
