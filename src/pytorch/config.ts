// convert.yml's `pytorch:` section: its JSON schema (joined into plan.ts's CONFIG_SCHEMA) and
// its resolution, with --python / --allow-pickle (or the Action inputs) on top, into a PytorchPlan.
//   const pytorch = resolvePytorchPlan(config.pytorch, { python: '/usr/bin/python3' }, configDir);

import path from 'node:path';
import { UserError } from '../errors.js';
import {
  PYTORCH_INPUT_DTYPES,
  type PytorchInputSpec,
  type PytorchOutputSpec,
  type PytorchPlan,
} from './types.js';

/** `pytorch:` in convert.yml, as written (kebab-case keys). */
export interface PytorchConfig {
  python?: string;
  'allow-pickle'?: boolean;
  module?: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  opset?: number;
  'timeout-seconds'?: number;
  inputs?: { name: string; shape: (number | string)[]; dtype?: string; range?: [number, number] }[];
  outputs?: (string | { name: string; 'dynamic-axes'?: Record<string, string> })[];
}

export const DEFAULT_EXPORT_TIMEOUT_SECONDS = 900;
const MIN_OPSET = 7;
const MAX_OPSET = 23;
const DIM_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';

export const PYTORCH_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    python: { type: 'string', minLength: 1 },
    'allow-pickle': { type: 'boolean' },
    module: { type: 'string', pattern: '^[A-Za-z_][\\w.]*:[A-Za-z_][\\w.]*$' },
    args: { type: 'array' },
    kwargs: { type: 'object' },
    opset: { type: 'integer', minimum: MIN_OPSET, maximum: MAX_OPSET },
    'timeout-seconds': { type: 'integer', minimum: 1, maximum: 86400 },
    inputs: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'shape'],
        properties: {
          name: { type: 'string', minLength: 1 },
          shape: {
            type: 'array',
            items: {
              anyOf: [
                { type: 'integer', minimum: 1, maximum: 1048576 },
                { type: 'string', pattern: DIM_NAME },
              ],
            },
          },
          dtype: { enum: [...PYTORCH_INPUT_DTYPES] },
          range: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 },
        },
      },
    },
    outputs: {
      type: 'array',
      minItems: 1,
      items: {
        anyOf: [
          { type: 'string', minLength: 1 },
          {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: {
              name: { type: 'string', minLength: 1 },
              'dynamic-axes': {
                type: 'object',
                propertyNames: { pattern: '^[0-9]+$' },
                additionalProperties: { type: 'string', pattern: DIM_NAME },
              },
            },
          },
        ],
      },
    },
  },
} as const;

/** Flags (CLI) or inputs (Action) that override `pytorch:`; undefined leaves convert.yml in charge. */
export interface PytorchOverrides {
  python?: string;
  allowPickle?: boolean;
}

function checkUnique(names: string[], where: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new UserError(`${where}: "${n}" appears twice; give each a different name.`);
    seen.add(n);
  }
}

function resolveInputs(config: PytorchConfig['inputs']): PytorchInputSpec[] | undefined {
  if (!config) return undefined;
  checkUnique(
    config.map((i) => i.name),
    'pytorch.inputs',
  );
  return config.map((input) => {
    if (input.range && !(input.range[1] > input.range[0])) {
      throw new UserError(
        `pytorch.inputs "${input.name}": range [${input.range.join(', ')}] is empty; the second number must be larger.`,
      );
    }
    const dtype = (input.dtype ?? 'float32') as PytorchInputSpec['dtype'];
    if (input.range && dtype !== 'bool' && !dtype.startsWith('float')) {
      if (!input.range.every(Number.isSafeInteger))
        throw new UserError(
          `pytorch.inputs "${input.name}": an ${dtype} range needs whole numbers (got [${input.range.join(', ')}]).`,
        );
    }
    return { name: input.name, shape: input.shape, dtype, ...(input.range ? { range: input.range } : {}) };
  });
}

function resolveOutputs(config: PytorchConfig['outputs']): PytorchOutputSpec[] | undefined {
  if (!config) return undefined;
  const outputs = config.map((o): PytorchOutputSpec => {
    if (typeof o === 'string') return { name: o };
    const axes = o['dynamic-axes'];
    return axes
      ? {
          name: o.name,
          dynamicAxes: Object.fromEntries(Object.entries(axes).map(([k, v]) => [Number(k), v])),
        }
      : { name: o.name };
  });
  checkUnique(
    outputs.map((o) => o.name),
    'pytorch.outputs',
  );
  return outputs;
}

/**
 * The PytorchPlan from convert.yml's section and the overrides. A `python` with a slash in
 * convert.yml is relative to that file; a bare name is looked up on PATH.
 */
export function resolvePytorchPlan(
  config: PytorchConfig | undefined,
  overrides: PytorchOverrides,
  configDir: string | undefined,
): PytorchPlan {
  const section = config ?? {};
  const fromConfig = section.python?.includes('/')
    ? path.resolve(configDir ?? '.', section.python)
    : section.python;
  const workspace = [...new Set([configDir ? path.resolve(configDir) : undefined, process.cwd()])].filter(
    (d): d is string => d !== undefined,
  );
  return {
    python: overrides.python || fromConfig || 'python3',
    allowPickle: overrides.allowPickle ?? section['allow-pickle'] ?? false,
    ...(section.module ? { module: section.module } : {}),
    moduleArgs: section.args ?? [],
    moduleKwargs: section.kwargs ?? {},
    ...(section.opset ? { opset: section.opset } : {}),
    ...(section.inputs ? { inputs: resolveInputs(section.inputs) } : {}),
    ...(section.outputs ? { outputs: resolveOutputs(section.outputs) } : {}),
    workspace,
    timeoutSeconds: section['timeout-seconds'] ?? DEFAULT_EXPORT_TIMEOUT_SECONDS,
  };
}
