// The W3C web-platform-tests WebNN conformance data, run on the reference runtime with WPT's
// own tolerances; prints a pass table per operator and requires every case to pass.
// Mappings from the data's older API to the current spec (all in wpt-harness.ts):
//   argMin/argMax `axes` + `selectLastIndex` → axis + transpose/reshape/reverse emulation,
//   int64 output via outputDataType; constant(start, step, outputShape, type) → constant
//   (descriptor, buffer) + cast; convTranspose2d `autoPad` → explicit padding and fused
//   `activation: "relu"` → relu(); where `trueValues`/`falseValues` → trueValue/falseValue;
//   copy → identity; not → logicalNot; graph outputs that would be constants go through
//   identity() (the spec forbids constant outputs).

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConformanceCases, runConformanceCase, SHAPE_QUIRKS, type CaseResult } from './wpt-harness.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const DATA_DIR = path.resolve(repoRoot, '../shared/webnn-conformance');
const cases = loadConformanceCases(DATA_DIR);
const results = new Map<string, { op: string; result: CaseResult }>();

afterAll(() => {
  const rows = new Map<string, { total: number; passed: number; tolerance: Set<string> }>();
  for (const c of cases) {
    const row = rows.get(c.op) ?? { total: 0, passed: 0, tolerance: new Set<string>() };
    const entry = results.get(`${c.file}: ${c.name}`);
    row.total++;
    if (entry?.result.pass) row.passed++;
    if (entry) row.tolerance.add(entry.result.tolerance);
    rows.set(c.op, row);
  }
  const lines = [
    'WPT WebNN conformance on the reference runtime',
    'operator            passed/total  tolerance',
  ];
  let passed = 0;
  for (const [op, row] of [...rows].sort()) {
    passed += row.passed;
    lines.push(`${op.padEnd(20)}${`${row.passed}/${row.total}`.padEnd(14)}${[...row.tolerance].join(', ')}`);
  }
  lines.push(`${'all'.padEnd(20)}${passed}/${cases.length}`);
  console.log(lines.join('\n'));
});

test('the conformance data covers the 20 operators of its README', () => {
  expect(new Set(cases.map((c) => c.op)).size).toBe(20);
  expect(cases.length).toBe(300);
});

describe.each([...new Set(cases.map((c) => c.op))].sort())('%s', (op) => {
  test.each(cases.filter((c) => c.op === op).map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const result = await runConformanceCase(c);
    results.set(`${c.file}: ${c.name}`, { op, result });
    expect(result.detail).toBe('ok');
    expect(result.pass).toBe(true);
  });
});

test('only the two argMin/argMax cases whose data contradicts its own options skip the shape check', () => {
  expect([...SHAPE_QUIRKS].every((name) => cases.some((c) => c.name === name))).toBe(true);
  expect(SHAPE_QUIRKS.size).toBe(2);
});

test('the checker rejects values outside the WPT tolerance (ULP and ATOL)', async () => {
  const mul = cases.find((c) => c.op === 'mul' && c.name === 'mul float32 1D tensors')!;
  const off = {
    ...mul,
    expected: {
      ...mul.expected,
      data: mul.expected.data.map((v, i) => (i === 3 ? Number(v) * (1 + 1e-5) : v)),
    },
  };
  const ulp = await runConformanceCase(off);
  expect(ulp.pass).toBe(false);
  expect(ulp.detail).toMatch(/^element 3: .* ULP > 1\)$/);
  const norm = cases.find(
    (c) => c.op === 'layerNormalization' && c.name.endsWith('4D tensor options.epsilon'),
  )!;
  const shifted = {
    ...norm,
    expected: { ...norm.expected, data: norm.expected.data.map((v, i) => (i === 0 ? Number(v) + 0.002 : v)) },
  };
  const atol = await runConformanceCase(shifted);
  expect(atol.pass).toBe(false);
  expect(atol.detail).toMatch(/^element 0: .*atol 0\.0009765625\)$/);
});
