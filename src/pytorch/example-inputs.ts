// The samples a PyTorch source is exported with and checked on. There is no ONNX graph yet,
// so the inputs come from convert.yml's `pytorch.inputs` (names, shapes with named dynamic
// axes, dtypes, value ranges) or from an inputs file. Generated samples follow the rules of
// verify/sample-inputs.ts (floats N(0, 1), masks padded, other integers in int-range); an
// input with a `range` is drawn uniformly from it instead (integers include both ends).
//   const { inputs, samples, dynamicAxes } = exampleInputs(plan, plan.pytorch);

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { isFloatDType, type HostTensor, type TensorMap } from '../onnx/dtype.js';
import { numberToFloat16Bits } from '../onnx/tensor.js';
import type { Plan } from '../pipeline/types.js';
import { loadInputs } from '../verify/inputs-file.js';
import { SeededRandom } from '../verify/random.js';
import { generateSamples } from '../verify/sample-inputs.js';
import type { IOInfo } from '../verify/types.js';
import { describeNpy, readNpzMembers } from './npz-tensors.js';
import type { PytorchInputSpec, PytorchPlan } from './types.js';

export interface ExampleInputs {
  inputs: IOInfo[];
  samples: TensorMap[];
  /** Input name → axis → symbolic dim name, for torch.onnx.export's dynamic_axes. */
  dynamicAxes: Record<string, Record<number, string>>;
}

/** Name given to the single input of a .npy inputs file (bound to forward's first parameter). */
export const SINGLE_INPUT_NAME = 'input';

export function exampleInputs(plan: Plan, pytorch: PytorchPlan): ExampleInputs {
  const where = path.basename(plan.model);
  const spec = pytorch.inputs;
  const inputs = spec ? spec.map(specToInfo) : plan.inputsFile ? inputsOfFile(plan.inputsFile) : undefined;
  if (!inputs) {
    throw new UserError(
      `${where}: a PyTorch source needs example inputs; describe forward's inputs in convert.yml ` +
        `(pytorch: { inputs: [{ name: x, shape: [batch, 3, 224, 224], dtype: float32 }] }) or pass --inputs samples.npz.`,
    );
  }
  const dynamicAxes: ExampleInputs['dynamicAxes'] = {};
  for (const info of inputs) {
    const axes = Object.fromEntries(
      info.dims.flatMap((d, axis) => (typeof d === 'string' ? [[axis, d] as const] : [])),
    );
    if (Object.keys(axes).length > 0) dynamicAxes[info.name] = axes;
  }
  if (plan.inputsFile) return { inputs, samples: loadInputs(plan.inputsFile, inputs), dynamicAxes };

  const samples = generateSamples(undefined, inputs, {
    count: plan.samples,
    seed: plan.seed,
    dims: plan.dims,
    intRange: plan.intRange,
  });
  spec?.forEach((input, index) => {
    if (input.range && input.dtype !== 'bool') applyRange(samples, input, input.range, plan.seed, index);
  });
  return { inputs, samples, dynamicAxes };
}

function specToInfo(input: PytorchInputSpec): IOInfo {
  return { name: input.name, dtype: input.dtype, dims: input.shape };
}

/** Names, dtypes and shapes of an inputs file, when there is no `pytorch.inputs`. */
function inputsOfFile(file: string): IOInfo[] {
  const ext = path.extname(file).toLowerCase();
  const read = (): Uint8Array => {
    try {
      return readFileSync(file);
    } catch {
      throw new UserError(`--inputs: ${file} not found. Check the path of the inputs file.`);
    }
  };
  if (ext === '.npy') return [describeNpy(SINGLE_INPUT_NAME, read(), file)];
  if (ext === '.npz') {
    read();
    return Object.entries(readNpzMembers(file)).map(([name, bytes]) =>
      describeNpy(name, bytes, `${file}:${name}.npy`),
    );
  }
  throw new UserError(
    `${file}: with a PyTorch source, an inputs file without pytorch.inputs in convert.yml must be a .npz ` +
      `(keys = forward's parameter names) or a .npy (one input); describe the inputs in pytorch.inputs to use ${ext || 'this file'}.`,
  );
}

/** Redraws one input of every sample uniformly in [low, high) (integers: low and high−1 always present). */
function applyRange(
  samples: TensorMap[],
  input: PytorchInputSpec,
  [low, high]: [number, number],
  seed: number,
  index: number,
): void {
  const rng = new SeededRandom((seed + 0x9e3779b9 * (index + 1)) >>> 0);
  for (const sample of samples) {
    const tensor: HostTensor = sample[input.name];
    const data = tensor.data;
    const count = data.length;
    for (let i = 0; i < count; i++) {
      if (isFloatDType(input.dtype)) {
        const v = low + (high - low) * rng.next();
        if (input.dtype === 'float16') (data as Uint16Array)[i] = numberToFloat16Bits(v);
        else (data as Float32Array | Float64Array)[i] = v;
        continue;
      }
      const v = i === 0 ? low : i === count - 1 ? high - 1 : rng.int(low, high);
      if (data instanceof BigInt64Array) data[i] = BigInt(v);
      else (data as Int32Array)[i] = v;
    }
  }
}
