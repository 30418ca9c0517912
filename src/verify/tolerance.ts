// Tolerance policy: the default bounds per precision (one table, documented in the README),
// the strict/default/loose presets, convert.yml rules matched by target/precision/output,
// and the check of metrics against the resolved bounds.
//   const tol = resolveTolerance({ precision: 'int4', target: 'webgpu', output: 'logits', rules });
//   checkTolerance('logits', metrics, tol).map(formatViolation) // ['logits: rel_l2 0.131 > 0.1']

import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { errorMessage, UserError } from '../errors.js';
import type { MetricName, Metrics, Tolerance, ToleranceRule, Violation } from './types.js';

/**
 * Default bounds per precision (contract: the README's tolerance table is checked against it).
 * fp32: two exports of the same weights differ by rel_l2 ≈ 1.6e-7 (float re-association);
 * a LayerNorm epsilon of 1e-5 instead of 1e-12 in the bert fixture gives 2.3e-5. 2e-6
 * sits ten times from both.
 */
export const DEFAULT_TOLERANCES: Readonly<Record<string, Readonly<Tolerance>>> = {
  fp32: { rel_l2: 2e-6, cosine: 0.99999, nan: 0, inf: 0 },
  fp16: { rel_l2: 1e-2, cosine: 0.9995, nan: 0, inf: 0 },
  int8: { rel_l2: 0.05, cosine: 0.998, nan: 0, inf: 0 },
  int4: { rel_l2: 0.1, cosine: 0.99, nan: 0, inf: 0 },
  int3: { rel_l2: 0.2, cosine: 0.97, nan: 0, inf: 0 },
  int2: { rel_l2: 0.45, cosine: 0.9, nan: 0, inf: 0 },
  mixed: { rel_l2: 0.1, cosine: 0.99, nan: 0, inf: 0 },
  auto: { rel_l2: 0.1, cosine: 0.99, nan: 0, inf: 0 },
};

export const TOLERANCE_PRESETS = ['strict', 'default', 'loose'] as const;
export type TolerancePreset = (typeof TOLERANCE_PRESETS)[number];

/** Metrics whose value must stay ≤ the bound. */
export const UPPER_BOUND_METRICS: readonly MetricName[] = ['max_abs', 'mean_abs', 'rel_l2', 'nan', 'inf'];
/** Metrics whose value must stay ≥ the bound (a null top1_agree meets any bound). */
export const LOWER_BOUND_METRICS: readonly MetricName[] = ['cosine', 'snr_db', 'top1_agree'];
const METRIC_NAMES: readonly MetricName[] = [
  'max_abs',
  'mean_abs',
  'rel_l2',
  'cosine',
  'snr_db',
  'top1_agree',
  'nan',
  'inf',
];
const MATCH_KEYS = ['target', 'precision', 'output'] as const;
const RULE_KEYS: readonly string[] = [...METRIC_NAMES, ...MATCH_KEYS];

/** How each preset scales a bound: error bounds × factor; cosine's distance to 1 × factor; snr_db + dB. */
const PRESET_SCALING: Record<TolerancePreset, { factor: number; snrDb: number }> = {
  strict: { factor: 0.1, snrDb: 20 },
  default: { factor: 1, snrDb: 0 },
  loose: { factor: 10, snrDb: -20 },
};

function isPreset(name: string): name is TolerancePreset {
  return (TOLERANCE_PRESETS as readonly string[]).includes(name);
}

/** `tolerance` tightened or widened by a preset; nan/inf and top1_agree bounds never change. */
export function applyTolerancePreset(tolerance: Tolerance, preset: TolerancePreset): Tolerance {
  const { factor, snrDb } = PRESET_SCALING[preset];
  const out: Tolerance = { ...tolerance };
  for (const m of ['max_abs', 'mean_abs', 'rel_l2'] as const) {
    const bound = out[m];
    if (bound !== undefined) out[m] = bound * factor;
  }
  if (out.cosine !== undefined) out.cosine = Math.max(0, 1 - (1 - out.cosine) * factor);
  if (out.snr_db !== undefined) out.snr_db = out.snr_db + snrDb;
  return out;
}

function ruleMatches(
  rule: ToleranceRule,
  at: { precision: string; target: string; output: string },
): boolean {
  return MATCH_KEYS.every((key) => rule[key] === undefined || rule[key] === at[key]);
}

/**
 * Bounds for one output of one variant: the precision's default, then the preset, then every
 * matching rule in order (a later rule overrides earlier values metric by metric).
 */
export function resolveTolerance(opts: {
  precision: string;
  target: string;
  output: string;
  preset?: string;
  rules: ToleranceRule[];
}): Tolerance {
  if (!Object.hasOwn(DEFAULT_TOLERANCES, opts.precision)) {
    throw new UserError(
      `precision "${opts.precision}" has no default tolerance; use one of ${Object.keys(DEFAULT_TOLERANCES).join(', ')}.`,
    );
  }
  const preset = opts.preset ?? 'default';
  if (!isPreset(preset)) {
    throw new UserError(
      `tolerance preset "${preset}" is unknown; use one of ${TOLERANCE_PRESETS.join(', ')}.`,
    );
  }
  const tolerance = applyTolerancePreset(DEFAULT_TOLERANCES[opts.precision], preset);
  for (const rule of opts.rules) {
    if (!ruleMatches(rule, opts)) continue;
    for (const m of METRIC_NAMES) {
      const bound = rule[m];
      if (bound !== undefined) tolerance[m] = bound;
    }
  }
  return tolerance;
}

/** Every bound in `tolerance` that `metrics` of `output` violates, in metric order. */
export function checkTolerance(output: string, metrics: Metrics, tolerance: Tolerance): Violation[] {
  const violations: Violation[] = [];
  for (const metric of UPPER_BOUND_METRICS) {
    const bound = tolerance[metric];
    const value = metrics[metric];
    if (bound !== undefined && value !== null && value > bound) {
      violations.push({ output, metric, value, bound, kind: 'max' });
    }
  }
  for (const metric of LOWER_BOUND_METRICS) {
    const bound = tolerance[metric];
    const value = metrics[metric];
    if (bound !== undefined && value !== null && value < bound) {
      violations.push({ output, metric, value, bound, kind: 'min' });
    }
  }
  return violations;
}

/** Shortest rounding of `value` (≥ 3 significant digits) that still reads as beyond `shownBound`. */
function formatValueAgainst(value: number, shownBound: number, kind: 'max' | 'min'): string {
  for (let digits = 3; digits < 17; digits++) {
    const rounded = Number(value.toPrecision(digits));
    if (kind === 'max' ? rounded > shownBound : rounded < shownBound) return String(rounded);
  }
  return String(value);
}

/** One line, e.g. `last_hidden_state: rel_l2 0.0312 > 0.01`. */
export function formatViolation(v: Violation): string {
  const bound = Number(v.bound.toPrecision(12));
  const value = v.value === null ? 'null' : formatValueAgainst(v.value, bound, v.kind);
  return `${v.output}: ${v.metric} ${value} ${v.kind === 'max' ? '>' : '<'} ${bound}`;
}

function describeKey(key: string): string {
  if (key === 'cosine' || key === 'top1_agree') return 'a number from 0 to 1';
  if (key === 'precision') return `one of ${Object.keys(DEFAULT_TOLERANCES).join(', ')}`;
  if ((MATCH_KEYS as readonly string[]).includes(key)) return 'a string';
  return 'a number ≥ 0';
}

const metricSchema = { type: 'number', minimum: 0 };
const unitSchema = { type: 'number', minimum: 0, maximum: 1 };
const RULE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    max_abs: metricSchema,
    mean_abs: metricSchema,
    rel_l2: metricSchema,
    cosine: unitSchema,
    snr_db: metricSchema,
    top1_agree: unitSchema,
    nan: metricSchema,
    inf: metricSchema,
    target: { type: 'string' },
    precision: { type: 'string', enum: Object.keys(DEFAULT_TOLERANCES) },
    output: { type: 'string' },
  },
};

let validateRule: ReturnType<Ajv['compile']> | undefined;

/** The first problem of one rule as a one-line message, or undefined when it is valid. */
function ruleProblem(rule: unknown, path: string): string | undefined {
  validateRule ??= new Ajv({ allErrors: false }).compile(RULE_SCHEMA);
  if (validateRule(rule)) return undefined; // ajv's number type also rejects NaN and ±Infinity
  const error: ErrorObject | undefined = validateRule.errors?.[0];
  if (!error || error.instancePath === '') {
    if (error?.keyword === 'additionalProperties') {
      const key = String(error.params.additionalProperty);
      return `${path}.${key} is not a tolerance key (use ${RULE_KEYS.join(', ')})`;
    }
    const shown =
      rule === null ? 'empty' : Array.isArray(rule) ? 'a list' : `${typeof rule} ${JSON.stringify(rule)}`;
    return `${path} is ${shown}; write a mapping of tolerance keys such as {rel_l2: 0.01, output: logits}.`;
  }
  const key = error.instancePath.slice(1);
  const value = (rule as Record<string, unknown>)[key];
  const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
  return `${path}.${key} is ${shown}; use ${describeKey(key)}.`;
}

/**
 * Validates tolerance rules: one rule object or a list of them. `where` names the data, e.g.
 * "convert.yml: tolerance"; messages append the rule index and key.
 */
export function parseToleranceRules(data: unknown, where: string): ToleranceRule[] {
  const list = Array.isArray(data) ? data : [data];
  list.forEach((rule, i) => {
    const problem = ruleProblem(rule, Array.isArray(data) ? `${where}[${i}]` : where);
    if (problem) throw new UserError(problem);
  });
  return list.map((rule) => ({ ...(rule as ToleranceRule) }));
}

/** Reads a YAML or JSON file of tolerance rules. */
function readToleranceFile(path: string): unknown {
  if (!existsSync(path)) {
    throw new UserError(
      `--tolerance: file ${path} does not exist; pass ${TOLERANCE_PRESETS.join(', ')} or the path of a .yml/.json file of tolerance rules.`,
    );
  }
  const text = readFileSync(path, 'utf8');
  try {
    return extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    const kind = extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML';
    const firstLine = errorMessage(e).split('\n')[0];
    throw new UserError(
      `${path}: not valid ${kind} (${firstLine}); fix the file or pass a preset (${TOLERANCE_PRESETS.join(', ')}).`,
    );
  }
}

/** The --tolerance option: a preset name, or a .yml/.yaml/.json file holding rules. */
export function loadToleranceOption(value: string): { preset?: string; rules: ToleranceRule[] } {
  if (isPreset(value)) return { preset: value, rules: [] };
  if (!['.yml', '.yaml', '.json'].includes(extname(value).toLowerCase())) {
    throw new UserError(
      `--tolerance: "${value}" is neither a preset (${TOLERANCE_PRESETS.join(', ')}) nor a .yml/.yaml/.json file of tolerance rules.`,
    );
  }
  return { rules: parseToleranceRules(readToleranceFile(value), `${value}: rules`) };
}
