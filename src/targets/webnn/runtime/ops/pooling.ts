// averagePool2d, l2Pool2d and maxPool2d over nchw or nhwc input with window dimensions
// (default: the whole spatial extent), padding, strides, dilations, roundingType and
// outputSizes. Padding and positions outside the input are excluded: average divides by the
// number of input elements inside the window.
//   const y = buildPool2d(state, 'averagePool2d', x, { windowDimensions: [3, 3], padding: [1, 1, 1, 1] });

import { OperatorBuild, type BuildState } from '../build-state.js';
import { asFloat64, isFloatType, storeNumbers } from '../data-types.js';
import type { MLOperand } from '../operand.js';
import { isValidDimension, transposeOffsets } from '../shape-utils.js';
import type { MLPool2dOptions } from '../types.js';
import { toDictionary, toEnum, toUnsignedLongSequence } from '../webidl.js';
import { expandFloat64, floatTensor, lazy, tensorOf } from './kernel-helpers.js';
import { ceil, floor, sqrt } from '../fast-math.js';

export type PoolKind = 'averagePool2d' | 'l2Pool2d' | 'maxPool2d';

export function buildPool2d(state: BuildState, kind: PoolKind, input: unknown, options: unknown): MLOperand {
  const opts = toDictionary<MLPool2dOptions>(options, kind);
  const op = new OperatorBuild(state, kind, opts);
  const x = op.operand(input, 'input');
  const layout =
    opts.layout === undefined ? 'nchw' : toEnum(opts.layout, ['nchw', 'nhwc'], `${op.what}: layout`);
  const roundingType =
    opts.roundingType === undefined
      ? 'floor'
      : toEnum(opts.roundingType, ['floor', 'ceil'], `${op.what}: roundingType`);
  const [batches, channels, inHeight, inWidth] =
    layout === 'nchw' ? x.shape : [x.shape[0], x.shape[3], x.shape[1], x.shape[2]];
  const list = (
    value: unknown,
    name: string,
    length: number,
    fallback: number[],
    nonZero: boolean,
  ): number[] => {
    if (value === undefined) return fallback;
    const items = toUnsignedLongSequence(value, `${op.what}: ${name}`);
    if (items.length !== length) op.fail(`${name} must have ${length} items, got ${items.length}`);
    if (nonZero && items.includes(0)) op.fail(`${name} must not contain 0`);
    return items;
  };
  const [windowHeight, windowWidth] = list(
    opts.windowDimensions,
    'windowDimensions',
    2,
    [inHeight, inWidth],
    true,
  );
  const padding = list(opts.padding, 'padding', 4, [0, 0, 0, 0], false);
  const strides = list(opts.strides, 'strides', 2, [1, 1], true);
  const dilations = list(opts.dilations, 'dilations', 2, [1, 1], true);
  const outputSizes =
    opts.outputSizes === undefined ? undefined : list(opts.outputSizes, 'outputSizes', 2, [], false);
  const calcHeight =
    (inHeight - (windowHeight - 1) * dilations[0] - 1 + padding[0] + padding[1]) / strides[0] + 1;
  const calcWidth =
    (inWidth - (windowWidth - 1) * dilations[1] - 1 + padding[2] + padding[3]) / strides[1] + 1;
  let outHeight: number;
  let outWidth: number;
  if (outputSizes) {
    [outHeight, outWidth] = outputSizes;
    const floorMatch = outHeight === floor(calcHeight) && outWidth === floor(calcWidth);
    const ceilMatch = outHeight === ceil(calcHeight) && outWidth === ceil(calcWidth);
    if (!floorMatch && !ceilMatch) {
      op.fail(
        `outputSizes [${outputSizes}] match neither floor nor ceil of the computed size [${calcHeight},${calcWidth}]`,
      );
    }
  } else {
    const round = roundingType === 'floor' ? Math.floor : Math.ceil;
    outHeight = round(calcHeight);
    outWidth = round(calcWidth);
  }
  if (!isValidDimension(outHeight) || !isValidDimension(outWidth))
    op.fail(`the output size ${outHeight}x${outWidth} is not valid`);
  const nchwOut = [batches, channels, outHeight, outWidth];
  const output = {
    dataType: x.dataType,
    shape: layout === 'nchw' ? nchwOut : [batches, outHeight, outWidth, channels],
  };
  const toNchw = lazy(() => (layout === 'nchw' ? undefined : transposeOffsets(x.shape, [0, 3, 1, 2])));
  const toNhwc = lazy(() => (layout === 'nchw' ? undefined : transposeOffsets(nchwOut, [0, 2, 3, 1])));
  return op.emitOne([x], output, ([v]) => {
    const X = expandFloat64(asFloat64(v), toNchw());
    const out = new Float64Array(batches * channels * outHeight * outWidth);
    let index = 0;
    for (let plane = 0; plane < batches * channels; plane++) {
      const base = plane * inHeight * inWidth;
      for (let oh = 0; oh < outHeight; oh++) {
        for (let ow = 0; ow < outWidth; ow++) {
          let sum = 0;
          let count = 0;
          let peak = -Infinity;
          for (let kh = 0; kh < windowHeight; kh++) {
            const ih = oh * strides[0] - padding[0] + kh * dilations[0];
            if (ih < 0 || ih >= inHeight) continue;
            for (let kw = 0; kw < windowWidth; kw++) {
              const iw = ow * strides[1] - padding[2] + kw * dilations[1];
              if (iw < 0 || iw >= inWidth) continue;
              const value = X[base + ih * inWidth + iw];
              count++;
              if (kind === 'maxPool2d') peak = value > peak || value !== value ? value : peak;
              else sum += kind === 'l2Pool2d' ? value * value : value;
            }
          }
          out[index++] =
            kind === 'maxPool2d' ? peak : kind === 'l2Pool2d' ? sqrt(sum) : count ? sum / count : 0;
        }
      }
    }
    const result = expandFloat64(out, toNhwc());
    if (isFloatType(v.dataType)) return floatTensor(output, Float32Array.from(result));
    return tensorOf(output, storeNumbers(v.dataType, result));
  });
}
