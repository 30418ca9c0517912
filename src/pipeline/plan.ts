// makePlan: raw options (CLI flags or Action inputs) + convert.yml → a validated Plan.
// Flags override convert.yml; paths in convert.yml are relative to that file.
//   const plan = makePlan({ model: 'm.onnx', targets: 'onnx', precisions: 'fp32', outDir: 'out' });

import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { errorMessage, UserError } from '../errors.js';
import { loadToleranceOption, parseToleranceRules } from '../verify/tolerance.js';
import type {
  BlockMethod,
  Fp16Mode,
  Int8Mode,
  NBitFormat,
  PolicyRule,
  QuantizeSettings,
} from '../quantize/types.js';
import type { ToleranceRule } from '../verify/types.js';
import { PYTORCH_CONFIG_SCHEMA, resolvePytorchPlan, type PytorchConfig } from '../pytorch/config.js';
import { resolveConfigPath } from './config-paths.js';
import type { PlanOptions } from './plan-options.js';
import { checkPrecision, targetByName } from './registry.js';
import type { Plan, Precision, TargetName } from './types.js';

/** convert.yml, as documented in the README. */
export interface ConvertConfig {
  model?: string;
  targets?: string | string[];
  precisions?: string | string[];
  inputs?: string;
  samples?: number;
  seed?: number;
  dims?: Record<string, number>;
  'int-range'?: [number, number];
  tolerance?: unknown;
  'output-dir'?: string;
  pytorch?: PytorchConfig;
  quantization?: {
    'block-size'?: number;
    symmetric?: boolean;
    format?: NBitFormat;
    method?: BlockMethod;
    fp16?: Fp16Mode;
    int8?: Int8Mode;
    'calibration-samples'?: number;
    'calibration-inputs'?: string;
    policy?: PolicyRule[];
  };
}

/** convert.yml `quantization:` → the settings the user set (kebab-case keys to camelCase). */
export function quantizationFromConfig(q: ConvertConfig['quantization']): Partial<QuantizeSettings> {
  if (!q) return {};
  const out: Partial<QuantizeSettings> = {};
  if (q['block-size'] !== undefined) out.blockSize = q['block-size'];
  if (q.symmetric !== undefined) out.symmetric = q.symmetric;
  if (q.format !== undefined) out.format = q.format;
  if (q.method !== undefined) out.method = q.method;
  if (q.fp16 !== undefined) out.fp16 = q.fp16;
  if (q.int8 !== undefined) out.int8 = q.int8;
  if (q.policy !== undefined) {
    for (const [i, rule] of q.policy.entries()) {
      if (rule.name !== undefined) {
        try {
          new RegExp(rule.name);
        } catch {
          throw new UserError(
            `quantization.policy[${i}].name "${rule.name}" is not a valid regular expression.`,
          );
        }
      }
    }
    out.policy = q.policy;
  }
  return out;
}

const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    model: { type: 'string', minLength: 1 },
    targets: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    precisions: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    inputs: { type: 'string', minLength: 1 },
    samples: { type: 'integer', minimum: 1, maximum: 1000 },
    seed: { type: 'integer', minimum: 0, maximum: 4294967295 },
    dims: { type: 'object', additionalProperties: { type: 'integer', minimum: 1, maximum: 1048576 } },
    'int-range': { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2 },
    tolerance: {},
    'output-dir': { type: 'string', minLength: 1 },
    pytorch: PYTORCH_CONFIG_SCHEMA,
    quantization: {
      type: 'object',
      additionalProperties: false,
      properties: {
        'block-size': { type: 'integer', minimum: 8, maximum: 4096 },
        symmetric: { type: 'boolean' },
        format: { enum: ['qdq', 'matmulnbits'] },
        method: { enum: ['rtn', 'mse', 'gptq'] },
        fp16: { enum: ['weights', 'full'] },
        int8: { enum: ['weights', 'dynamic', 'static'] },
        'calibration-samples': { type: 'integer', minimum: 1, maximum: 4096 },
        'calibration-inputs': { type: 'string', minLength: 1 },
        policy: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['precision'],
            properties: {
              role: { type: 'string', minLength: 1 },
              blocks: { type: 'array', items: { type: 'integer' } },
              name: { type: 'string', minLength: 1 },
              precision: { enum: ['fp32', 'fp16', 'int8', 'int4', 'int3', 'int2', 'keep'] },
            },
          },
        },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: false });
const validateConfig = ajv.compile(CONFIG_SCHEMA);

export function readConfig(file: string): ConvertConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`${file}: config file not found. Pass the path of your convert.yml with --config.`);
  }
  let data: unknown;
  try {
    data = parseYaml(text) ?? {};
  } catch (e) {
    throw new UserError(
      `${file}: not valid YAML (${errorMessage(e).split('\n')[0]}). Fix the syntax and retry.`,
    );
  }
  if (!validateConfig(data)) {
    const err = validateConfig.errors?.[0];
    const at = err?.instancePath ? err.instancePath.slice(1).replace(/\//g, '.') : '';
    const detail =
      err?.keyword === 'additionalProperties'
        ? `"${(err.params as { additionalProperty: string }).additionalProperty}" is not a convert.yml key (use ${Object.keys(CONFIG_SCHEMA.properties).join(', ')})`
        : `${at || 'the file'} ${err?.message ?? 'is invalid'}`;
    throw new UserError(`${file}: ${detail}.`);
  }
  return data as ConvertConfig;
}

function splitList(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : value.split(/[,\n]/)).map((s) => s.trim()).filter(Boolean);
  return items.length > 0 ? items : undefined;
}

function parseWholeNumber(value: string | number | undefined, name: string, min: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UserError(`--${name} must be a whole number ≥ ${min} (got "${value}").`);
  return n;
}

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'model-convert');
}

export function makePlan(options: PlanOptions): Plan {
  const config = options.config ? readConfig(options.config) : {};
  const configDir = options.config ? path.dirname(options.config) : '.';
  // convert.yml may come from a pull request: its paths may not leave its folder or the workspace.
  const fromConfig = (p: string | undefined, key: string): string | undefined =>
    p && options.config ? resolveConfigPath(options.config, p, key) : undefined;

  const model = options.model || fromConfig(config.model, 'model');
  if (!model) throw new UserError('no model given. Pass a model path (or set "model:" in convert.yml).');

  const targetNames = splitList(options.targets) ?? splitList(config.targets) ?? ['onnx'];
  const precisionNames = splitList(options.precisions) ?? splitList(config.precisions) ?? ['fp32'];
  const targets = [...new Set(targetNames)].map((t) => targetByName(t));
  const precisions = [...new Set(precisionNames)];
  for (const t of targets) for (const p of precisions) checkPrecision(t, p);

  let rules: ToleranceRule[] =
    config.tolerance !== undefined
      ? parseToleranceRules(config.tolerance, options.config ?? 'convert.yml')
      : [];
  let preset: string | undefined;
  if (options.tolerance) {
    const extra = loadToleranceOption(options.tolerance);
    preset = extra.preset;
    rules = [...rules, ...extra.rules];
  }
  const python = config.pytorch?.python;
  if (python?.includes('/')) fromConfig(python, 'pytorch.python'); // a program inside the workspace only
  const intRange = config['int-range'] ?? [0, 8];
  if (intRange[1] <= intRange[0])
    throw new UserError(`int-range [${intRange.join(', ')}] is empty; the second number must be larger.`);

  return {
    model,
    targets: targets.map((t) => t.name as TargetName),
    precisions: precisions as Precision[],
    outDir: options.outDir || fromConfig(config['output-dir'], 'output-dir') || 'model-convert-out',
    inputsFile: options.inputs || fromConfig(config.inputs, 'inputs'),
    samples: parseWholeNumber(options.samples, 'samples', 1) ?? config.samples ?? 3,
    seed: parseWholeNumber(options.seed, 'seed', 0) ?? config.seed ?? 0,
    dims: config.dims ?? {},
    intRange,
    tolerance: rules,
    tolerancePreset: preset,
    quantization: quantizationFromConfig(config.quantization),
    calibrationSamples: config.quantization?.['calibration-samples'],
    calibrationInputs: fromConfig(
      config.quantization?.['calibration-inputs'],
      'quantization.calibration-inputs',
    ),
    pytorch: resolvePytorchPlan(
      config.pytorch,
      { python: options.python, allowPickle: options.allowPickle },
      options.config ? configDir : undefined,
    ),
    cache: options.cache ?? true,
    cacheDir: options.cacheDir ?? defaultCacheDir(),
    verbose: options.verbose ?? false,
  };
}
