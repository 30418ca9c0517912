// quantizeLinear and dequantizeLinear with block-wise broadcast scale and zero point (each
// scale dimension divides the input dimension; a scale element covers a block of
// input/scale elements along each axis). Quantized types: uint8, int8, uint32, int32 and
// the 4-bit int4/uint4.
//   const w = buildDequantizeLinear(state, q, scale, zeroPoint, {}); // (q − zeroPoint) · scale

import { OperatorBuild, type BuildState } from '../build-state.js';
import { asFloat64, integerRange, roundHalfToEven, storeNumbers } from '../data-types.js';
import type { MLOperand } from '../operand.js';
import { axisMap, isBlockwiseBroadcastable, offsetsFromAxisMaps, shapesEqual } from '../shape-utils.js';
import type { MLOperatorOptions } from '../types.js';
import { toDictionary } from '../webidl.js';
import { floatTensor, lazy, tensorOf } from './kernel-helpers.js';
import { floor, max, min } from '../fast-math.js';

type QuantizeKind = 'quantizeLinear' | 'dequantizeLinear';

function buildQuantization(
  state: BuildState,
  kind: QuantizeKind,
  input: unknown,
  scale: unknown,
  zeroPoint: unknown,
  options: unknown,
): MLOperand {
  const opts = toDictionary<MLOperatorOptions>(options, kind);
  const op = new OperatorBuild(state, kind, opts);
  const x = op.operand(input, 'input');
  const s = op.operand(scale, 'scale');
  const z = op.operand(zeroPoint, 'zeroPoint');
  if (kind === 'dequantizeLinear') op.requireSameType(z, 'zeroPoint', x.dataType);
  else op.requireSameType(s, 'scale', x.dataType);
  if (s.shape.length !== x.shape.length || z.shape.length !== x.shape.length) {
    op.fail(`scale and zeroPoint must have the input's rank ${x.shape.length}`);
  }
  if (!shapesEqual(s.shape, z.shape))
    op.fail(`scale [${s.shape}] and zeroPoint [${z.shape}] must have the same shape`);
  if (!isBlockwiseBroadcastable(s.shape, x.shape)) {
    op.fail(`scale [${s.shape}] is not blockwise broadcastable to the input [${x.shape}]`);
  }
  const output = { dataType: kind === 'dequantizeLinear' ? s.dataType : z.dataType, shape: x.shape };
  const blockOffsets = lazy(() =>
    offsetsFromAxisMaps(
      x.shape,
      s.shape,
      x.shape.map((size, a) => {
        const block = size / s.shape[a];
        return axisMap(size, (c) => floor(c / block));
      }),
    ),
  );
  return op.emitOne([x, s, z], output, ([vx, vs, vz]) => {
    const X = asFloat64(vx);
    const S = asFloat64(vs);
    const Z = asFloat64(vz);
    const map = blockOffsets();
    const out = new Float64Array(X.length);
    if (kind === 'dequantizeLinear') {
      for (let i = 0; i < X.length; i++) out[i] = (X[i] - Z[map[i]]) * S[map[i]];
      return floatTensor(output, Float32Array.from(out));
    }
    const [low, high] = integerRange(output.dataType);
    for (let i = 0; i < X.length; i++) {
      const q = roundHalfToEven(X[i] / S[map[i]]) + Z[map[i]];
      out[i] = q !== q ? 0 : min(max(q, low), high);
    }
    return tensorOf(output, storeNumbers(output.dataType, out));
  });
}

export function buildDequantizeLinear(
  state: BuildState,
  input: unknown,
  scale: unknown,
  zeroPoint: unknown,
  options: unknown,
): MLOperand {
  return buildQuantization(state, 'dequantizeLinear', input, scale, zeroPoint, options);
}

export function buildQuantizeLinear(
  state: BuildState,
  input: unknown,
  scale: unknown,
  zeroPoint: unknown,
  options: unknown,
): MLOperand {
  return buildQuantization(state, 'quantizeLinear', input, scale, zeroPoint, options);
}
