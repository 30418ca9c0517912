// resample2d: nearest-neighbor or (bi)linear resampling of two axes (default [2, 3]) of a 4-D
// tensor to `sizes` or floor(size × `scales`), with the spec's half-pixel coordinate mapping:
// in = clamp((out + 0.5) / scale − 0.5, 0, inSize − 1), scale = outSize / inSize; nearest
// takes ceil(in − 0.5).
//   const y = buildResample2d(state, x, { mode: 'linear', sizes: [8, 8] });

import { OperatorBuild, type BuildState } from '../build-state.js';
import { asFloat32 } from '../data-types.js';
import type { MLOperand } from '../operand.js';
import { axesAreValid, isValidDimension, stridesOf } from '../shape-utils.js';
import type { MLResample2dOptions } from '../types.js';
import { toDictionary, toEnum, toFloatSequence, toUnsignedLongSequence } from '../webidl.js';
import { floatTensor, lazy } from './kernel-helpers.js';
import { ceil, floor, max, min } from '../fast-math.js';

interface AxisSampling {
  /** Lower and upper source coordinates and the weight of the upper one, per output coordinate. */
  low: Int32Array;
  high: Int32Array;
  weight: Float64Array;
}

function axisSampling(inSize: number, outSize: number, linear: boolean): AxisSampling {
  const low = new Int32Array(outSize);
  const high = new Int32Array(outSize);
  const weight = new Float64Array(outSize);
  const scale = outSize / inSize;
  for (let o = 0; o < outSize; o++) {
    const coordinate = min(max((o + 0.5) / scale - 0.5, 0), inSize - 1);
    if (linear) {
      low[o] = floor(coordinate);
      high[o] = ceil(coordinate);
      weight[o] = coordinate - low[o];
    } else {
      low[o] = high[o] = max(0, ceil(coordinate - 0.5));
    }
  }
  return { low, high, weight };
}

export function buildResample2d(state: BuildState, input: unknown, options: unknown): MLOperand {
  const opts = toDictionary<MLResample2dOptions>(options, 'resample2d');
  const op = new OperatorBuild(state, 'resample2d', opts);
  const x = op.operand(input, 'input');
  const mode =
    opts.mode === undefined
      ? 'nearest-neighbor'
      : toEnum(opts.mode, ['nearest-neighbor', 'linear'], `${op.what}: mode`);
  const scales = opts.scales === undefined ? [1, 1] : toFloatSequence(opts.scales, `${op.what}: scales`);
  if (scales.length !== 2 || scales.some((s) => s <= 0)) op.fail('scales must be 2 positive numbers');
  const sizes =
    opts.sizes === undefined ? undefined : toUnsignedLongSequence(opts.sizes, `${op.what}: sizes`);
  if (sizes && (sizes.length !== 2 || sizes.includes(0))) op.fail('sizes must be 2 non-zero sizes');
  const axes = opts.axes === undefined ? [2, 3] : toUnsignedLongSequence(opts.axes, `${op.what}: axes`);
  if (axes.length !== 2 || !axesAreValid(axes, 4))
    op.fail(`axes [${axes}] must be 2 distinct axes in [0, 4)`);
  const shape = x.shape.slice();
  axes.forEach((axis, i) => {
    const size = sizes ? sizes[i] : floor(x.shape[axis] * scales[i]);
    if (!isValidDimension(size)) op.fail(`the output size ${size} on axis ${axis} is not valid`);
    shape[axis] = size;
  });
  const output = { dataType: x.dataType, shape };
  const linear = mode === 'linear';
  const plan = lazy(() =>
    shape.map((size, axis) => (axes.includes(axis) ? axisSampling(x.shape[axis], size, linear) : undefined)),
  );
  const inStrides = stridesOf(x.shape);
  return op.emitOne([x], output, ([v]) => {
    const X = asFloat32(v);
    const sampling = plan();
    const [axisA, axisB] = axes[0] < axes[1] ? axes : [axes[1], axes[0]];
    const samplingA = sampling[axisA]!;
    const samplingB = sampling[axisB]!;
    const out = new Float32Array(shape.reduce((p, d) => p * d, 1));
    const index = [0, 0, 0, 0];
    for (let i = 0; i < out.length; i++) {
      let base = 0;
      for (let a = 0; a < 4; a++) if (a !== axisA && a !== axisB) base += index[a] * inStrides[a];
      const ia = index[axisA];
      const ib = index[axisB];
      const a0 = base + samplingA.low[ia] * inStrides[axisA];
      const a1 = base + samplingA.high[ia] * inStrides[axisA];
      const b0 = samplingB.low[ib] * inStrides[axisB];
      const b1 = samplingB.high[ib] * inStrides[axisB];
      const ta = samplingA.weight[ia];
      const tb = samplingB.weight[ib];
      const top = X[a0 + b0] * (1 - tb) + X[a0 + b1] * tb;
      const bottom = X[a1 + b0] * (1 - tb) + X[a1 + b1] * tb;
      out[i] = top * (1 - ta) + bottom * ta;
      for (let a = 3; a >= 0; a--) {
        if (++index[a] < shape[a]) break;
        index[a] = 0;
      }
    }
    return floatTensor(output, out);
  });
}
