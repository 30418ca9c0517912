import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyTolerancePreset,
  checkTolerance,
  DEFAULT_TOLERANCES,
  formatViolation,
  loadToleranceOption,
  parseToleranceRules,
  resolveTolerance,
  TOLERANCE_PRESETS,
} from '../../src/verify/tolerance.js';
import type { Metrics } from '../../src/verify/types.js';

const KEYS = 'max_abs, mean_abs, rel_l2, cosine, snr_db, top1_agree, nan, inf, target, precision, output';
const at = { precision: 'int4', target: 'webgpu', output: 'logits' };

describe('DEFAULT_TOLERANCES', () => {
  test('holds one entry per precision with the documented bounds', () => {
    expect(DEFAULT_TOLERANCES).toEqual({
      fp32: { rel_l2: 2e-6, cosine: 0.99999, nan: 0, inf: 0 },
      fp16: { rel_l2: 1e-2, cosine: 0.9995, nan: 0, inf: 0 },
      int8: { rel_l2: 0.05, cosine: 0.998, nan: 0, inf: 0 },
      int4: { rel_l2: 0.1, cosine: 0.99, nan: 0, inf: 0 },
      int3: { rel_l2: 0.2, cosine: 0.97, nan: 0, inf: 0 },
      int2: { rel_l2: 0.45, cosine: 0.9, nan: 0, inf: 0 },
      mixed: { rel_l2: 0.1, cosine: 0.99, nan: 0, inf: 0 },
      auto: { rel_l2: 0.1, cosine: 0.99, nan: 0, inf: 0 },
    });
    expect(TOLERANCE_PRESETS).toEqual(['strict', 'default', 'loose']);
  });
});

describe('resolveTolerance', () => {
  test('without preset or rules gives the precision default', () => {
    expect(resolveTolerance({ ...at, rules: [] })).toEqual({ rel_l2: 0.1, cosine: 0.99, nan: 0, inf: 0 });
  });

  test('strict divides error bounds by 10 and the distance of cosine to 1 by 10; nan/inf unchanged', () => {
    const t = resolveTolerance({ ...at, preset: 'strict', rules: [] });
    expect(t.rel_l2).toBeCloseTo(0.01, 15);
    expect(t.cosine).toBeCloseTo(0.999, 15);
    expect([t.nan, t.inf]).toEqual([0, 0]);
  });

  test('loose multiplies by 10 and clamps cosine at 0', () => {
    const int4 = resolveTolerance({ ...at, preset: 'loose', rules: [] });
    expect(int4.rel_l2).toBeCloseTo(1, 15);
    expect(int4.cosine).toBeCloseTo(0.9, 15);
    const int2 = resolveTolerance({ ...at, precision: 'int2', preset: 'loose', rules: [] });
    expect(int2.cosine).toBeCloseTo(0, 15);
    expect(int2.cosine).toBeGreaterThanOrEqual(0);
  });

  test('rules apply after the preset and are not scaled', () => {
    const rules = [{ max_abs: 1, snr_db: 30, rel_l2: 0.5 }];
    expect(resolveTolerance({ ...at, preset: 'strict', rules })).toEqual({
      max_abs: 1,
      snr_db: 30,
      rel_l2: 0.5,
      cosine: resolveTolerance({ ...at, preset: 'strict', rules: [] }).cosine,
      nan: 0,
      inf: 0,
    });
  });

  test('rules match on target, precision and output; a later rule overrides metric by metric', () => {
    const rules = [
      { rel_l2: 0.2, cosine: 0.95 }, // matches everything
      { target: 'webgpu', rel_l2: 0.3 }, // matches
      { target: 'webnn', rel_l2: 0.9 }, // other target
      { precision: 'int8', cosine: 0.5 }, // other precision
      { output: 'logits', precision: 'int4', max_abs: 2 }, // matches
      { output: 'pooled', max_abs: 7 }, // other output
    ];
    expect(resolveTolerance({ ...at, rules })).toEqual({
      rel_l2: 0.3,
      cosine: 0.95,
      max_abs: 2,
      nan: 0,
      inf: 0,
    });
    expect(resolveTolerance({ ...at, output: 'pooled', rules })).toEqual({
      rel_l2: 0.3,
      cosine: 0.95,
      max_abs: 7,
      nan: 0,
      inf: 0,
    });
  });

  test('unknown precision or preset is a UserError listing the choices', () => {
    expect(() => resolveTolerance({ ...at, precision: 'fp8', rules: [] })).toThrow(
      'precision "fp8" has no default tolerance; use one of fp32, fp16, int8, int4, int3, int2, mixed, auto.',
    );
    expect(() => resolveTolerance({ ...at, preset: 'lax', rules: [] })).toThrow(
      'tolerance preset "lax" is unknown; use one of strict, default, loose.',
    );
  });

  test('does not modify the defaults table', () => {
    resolveTolerance({ ...at, preset: 'strict', rules: [{ rel_l2: 5 }] });
    expect(DEFAULT_TOLERANCES.int4).toEqual({ rel_l2: 0.1, cosine: 0.99, nan: 0, inf: 0 });
  });
});

describe('applyTolerancePreset', () => {
  const bounds = {
    max_abs: 2,
    mean_abs: 0.5,
    rel_l2: 0.1,
    cosine: 0.99,
    snr_db: 30,
    top1_agree: 0.9,
    nan: 1,
    inf: 2,
  };

  test('strict: error bounds × 0.1, cosine distance × 0.1, snr + 20 dB, top1/nan/inf unchanged', () => {
    const t = applyTolerancePreset(bounds, 'strict');
    expect(t.max_abs).toBeCloseTo(0.2, 15);
    expect(t.mean_abs).toBeCloseTo(0.05, 15);
    expect(t.rel_l2).toBeCloseTo(0.01, 15);
    expect(t.cosine).toBeCloseTo(0.999, 15);
    expect([t.snr_db, t.top1_agree, t.nan, t.inf]).toEqual([50, 0.9, 1, 2]);
  });

  test('loose: error bounds × 10, cosine distance × 10, snr − 20 dB, top1/nan/inf unchanged', () => {
    const t = applyTolerancePreset(bounds, 'loose');
    expect(t.max_abs).toBeCloseTo(20, 12);
    expect(t.mean_abs).toBeCloseTo(5, 12);
    expect(t.rel_l2).toBeCloseTo(1, 15);
    expect(t.cosine).toBeCloseTo(0.9, 15);
    expect([t.snr_db, t.top1_agree, t.nan, t.inf]).toEqual([10, 0.9, 1, 2]);
  });

  test('default changes nothing and unset bounds stay unset', () => {
    expect(applyTolerancePreset(bounds, 'default')).toEqual(bounds);
    expect(applyTolerancePreset({ rel_l2: 0.1 }, 'strict')).toEqual({ rel_l2: 0.010000000000000002 });
  });
});

describe('checkTolerance and formatViolation', () => {
  const metrics: Metrics = {
    max_abs: 0.5,
    mean_abs: 0.01,
    rel_l2: 0.0312,
    cosine: 0.99998,
    snr_db: 25,
    top1_agree: null,
    nan: 3,
    inf: 0,
  };

  test('reports upper-bound metrics above and lower-bound metrics below their bound', () => {
    const v = checkTolerance('last_hidden_state', metrics, {
      rel_l2: 0.01,
      cosine: 0.99999,
      nan: 0,
      inf: 0,
      snr_db: 20,
    });
    expect(v).toEqual([
      { output: 'last_hidden_state', metric: 'rel_l2', value: 0.0312, bound: 0.01, kind: 'max' },
      { output: 'last_hidden_state', metric: 'nan', value: 3, bound: 0, kind: 'max' },
      { output: 'last_hidden_state', metric: 'cosine', value: 0.99998, bound: 0.99999, kind: 'min' },
    ]);
    expect(v.map(formatViolation)).toEqual([
      'last_hidden_state: rel_l2 0.0312 > 0.01',
      'last_hidden_state: nan 3 > 0',
      'last_hidden_state: cosine 0.99998 < 0.99999',
    ]);
  });

  test('values equal to the bound pass; a null top1_agree meets any bound', () => {
    expect(checkTolerance('y', metrics, { rel_l2: 0.0312, max_abs: 0.5, snr_db: 25, top1_agree: 1 })).toEqual(
      [],
    );
  });

  test('formatting keeps enough digits to show the difference and rounds computed bounds', () => {
    expect(
      formatViolation({
        output: 'o',
        metric: 'cosine',
        value: 0.9999912345,
        bound: 1 - (1 - 0.99999) * 0.1,
        kind: 'min',
      }),
    ).toBe('o: cosine 0.99999 < 0.999999');
    expect(
      formatViolation({ output: 'o', metric: 'max_abs', value: 0.123456, bound: 0.1, kind: 'max' }),
    ).toBe('o: max_abs 0.123 > 0.1');
  });
});

describe('parseToleranceRules', () => {
  test('accepts one rule or a list of rules', () => {
    expect(parseToleranceRules({ rel_l2: 0.02, output: 'logits' }, 'convert.yml: tolerance')).toEqual([
      { rel_l2: 0.02, output: 'logits' },
    ]);
    expect(
      parseToleranceRules([{ cosine: 0.9 }, { target: 'webgpu', precision: 'int4', nan: 1 }], 'x'),
    ).toEqual([{ cosine: 0.9 }, { target: 'webgpu', precision: 'int4', nan: 1 }]);
  });

  test('an unknown key names the rule index and lists the keys', () => {
    expect(() => parseToleranceRules([{ rel_l2: 0.1 }, { cosin: 0.9 }], 'convert.yml: tolerance')).toThrow(
      `convert.yml: tolerance[1].cosin is not a tolerance key (use ${KEYS})`,
    );
  });

  test('bad values say what to use', () => {
    expect(() => parseToleranceRules({ cosine: 1.5 }, 'convert.yml: tolerance')).toThrow(
      'convert.yml: tolerance.cosine is 1.5; use a number from 0 to 1.',
    );
    expect(() => parseToleranceRules({ rel_l2: -1 }, 'c: tolerance')).toThrow(
      'c: tolerance.rel_l2 is -1; use a number ≥ 0.',
    );
    expect(() => parseToleranceRules({ rel_l2: 'small' }, 'c: tolerance')).toThrow(
      'c: tolerance.rel_l2 is "small"; use a number ≥ 0.',
    );
    expect(() => parseToleranceRules({ output: 3 }, 'c: tolerance')).toThrow(
      'c: tolerance.output is 3; use a string.',
    );
    expect(() => parseToleranceRules({ precision: 'fp8' }, 'c: tolerance')).toThrow(
      'c: tolerance.precision is "fp8"; use one of fp32, fp16, int8, int4, int3, int2, mixed, auto.',
    );
    expect(() => parseToleranceRules({ max_abs: Infinity }, 'c: tolerance')).toThrow(
      'c: tolerance.max_abs is Infinity; use a number ≥ 0.',
    );
  });

  test('a rule that is not a mapping is rejected', () => {
    expect(() => parseToleranceRules(['rel_l2'], 'c: tolerance')).toThrow(
      'c: tolerance[0] is string "rel_l2"; write a mapping of tolerance keys such as {rel_l2: 0.01, output: logits}.',
    );
    expect(() => parseToleranceRules(null, 'c: tolerance')).toThrow('c: tolerance is empty; write a mapping');
  });
});

describe('loadToleranceOption', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tolerance-'));

  test('a preset name gives the preset and no rules', () => {
    expect(loadToleranceOption('loose')).toEqual({ preset: 'loose', rules: [] });
  });

  test('reads rules from YAML and JSON files', () => {
    const yml = join(dir, 'rules.yml');
    writeFileSync(yml, '- rel_l2: 0.2\n- output: logits\n  cosine: 0.95\n');
    expect(loadToleranceOption(yml)).toEqual({
      rules: [{ rel_l2: 0.2 }, { output: 'logits', cosine: 0.95 }],
    });
    const json = join(dir, 'rules.json');
    writeFileSync(json, '{"max_abs": 0.5}');
    expect(loadToleranceOption(json)).toEqual({ rules: [{ max_abs: 0.5 }] });
  });

  test('errors in a rules file name the file and the key', () => {
    const yml = join(dir, 'bad-key.yaml');
    writeFileSync(yml, 'rel_l3: 0.2\n');
    expect(() => loadToleranceOption(yml)).toThrow(
      `${yml}: rules.rel_l3 is not a tolerance key (use ${KEYS})`,
    );
  });

  test('a missing file, bad YAML or bad JSON is a UserError naming the file', () => {
    const missing = join(dir, 'nope.yml');
    expect(() => loadToleranceOption(missing)).toThrow(
      `--tolerance: file ${missing} does not exist; pass strict, default, loose or the path of a .yml/.json file of tolerance rules.`,
    );
    const badYaml = join(dir, 'bad.yml');
    writeFileSync(badYaml, 'rel_l2: [0.1\n');
    expect(() => loadToleranceOption(badYaml)).toThrow(
      new RegExp(`^${badYaml}: not valid YAML \\(.+\\); fix the file`),
    );
    const badJson = join(dir, 'bad.json');
    writeFileSync(badJson, '{rel_l2: 1}');
    expect(() => loadToleranceOption(badJson)).toThrow(
      new RegExp(`^${badJson}: not valid JSON \\(.+\\); fix the file`),
    );
  });

  test('neither a preset nor a rules file is a UserError', () => {
    expect(() => loadToleranceOption('tight')).toThrow(
      '--tolerance: "tight" is neither a preset (strict, default, loose) nor a .yml/.yaml/.json file of tolerance rules.',
    );
  });
});
