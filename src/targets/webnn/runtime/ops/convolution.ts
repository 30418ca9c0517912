// conv2d and convTranspose2d with every input layout (nchw, nhwc) and filter layout (conv2d:
// oihw, hwio, ohwi, ihwo; convTranspose2d: iohw, hwoi, ohwi), padding, strides, dilations,
// groups and bias. Kernels run direct (im2col-free) loops on nchw data with oihw / iohw
// filters; other layouts are permuted first (cached for constant filters).
//   const y = buildConv2d(state, x, w, { padding: [1, 1, 1, 1], inputLayout: 'nhwc', filterLayout: 'ohwi' });

import { OperatorBuild, type BuildState } from '../build-state.js';
import { asFloat32, type RuntimeTensor } from '../data-types.js';
import type { MLOperand } from '../operand.js';
import { isValidDimension, permuteShape, shapesEqual, transposeOffsets } from '../shape-utils.js';
import type { MLConv2dOptions, MLConvTranspose2dOptions } from '../types.js';
import { toDictionary, toEnum, toUnsignedLong, toUnsignedLongSequence } from '../webidl.js';
import { expandFloat32, floatTensor, lazy } from './kernel-helpers.js';
import { floor } from '../fast-math.js';

/** Permutations from each filter layout to oihw (conv2d) or iohw (convTranspose2d). */
const CONV_FILTER_TO_OIHW: Record<string, number[]> = {
  oihw: [0, 1, 2, 3],
  hwio: [3, 2, 0, 1],
  ohwi: [0, 3, 1, 2],
  ihwo: [3, 0, 1, 2],
};
const TRANSPOSED_FILTER_TO_IOHW: Record<string, number[]> = {
  iohw: [0, 1, 2, 3],
  hwoi: [3, 2, 0, 1],
  ohwi: [3, 0, 1, 2],
};
const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

interface CommonOptions {
  padding: number[];
  strides: number[];
  dilations: number[];
  groups: number;
  inputLayout: 'nchw' | 'nhwc';
}

function readCommonOptions(
  op: OperatorBuild,
  opts: Partial<Pick<MLConv2dOptions, 'padding' | 'strides' | 'dilations' | 'groups' | 'inputLayout'>>,
): CommonOptions {
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
  const groups = opts.groups === undefined ? 1 : toUnsignedLong(opts.groups, `${op.what}: groups`);
  if (groups === 0) op.fail('groups must not be 0');
  return {
    padding: list(opts.padding, 'padding', 4, [0, 0, 0, 0], false),
    strides: list(opts.strides, 'strides', 2, [1, 1], true),
    dilations: list(opts.dilations, 'dilations', 2, [1, 1], true),
    groups,
    inputLayout:
      opts.inputLayout === undefined
        ? 'nchw'
        : toEnum(opts.inputLayout, ['nchw', 'nhwc'], `${op.what}: inputLayout`),
  };
}

/** Input values in nchw order (permuted from nhwc when needed). */
function nchwValues(value: RuntimeTensor, layout: string, offsets: () => Int32Array): Float32Array {
  const values = asFloat32(value);
  return layout === 'nchw' ? values : expandFloat32(values, offsets());
}

/** Filter values in canonical order, cached per constant tensor. */
function canonicalFilter(
  cache: WeakMap<RuntimeTensor, Float32Array>,
  value: RuntimeTensor,
  permutation: number[],
): Float32Array {
  const values = asFloat32(value);
  if (shapesEqual(permutation, [0, 1, 2, 3])) return values;
  let out = cache.get(value);
  if (!out) {
    out = expandFloat32(values, transposeOffsets(value.shape, permutation));
    cache.set(value, out);
  }
  return out;
}

function finishOutput(values: Float32Array, nchwShape: number[], layout: string): Float32Array {
  return layout === 'nchw' ? values : expandFloat32(values, transposeOffsets(nchwShape, NCHW_TO_NHWC));
}

export function buildConv2d(state: BuildState, input: unknown, filter: unknown, options: unknown): MLOperand {
  const opts = toDictionary<MLConv2dOptions>(options, 'conv2d');
  const op = new OperatorBuild(state, 'conv2d', opts);
  const x = op.operand(input, 'input');
  const w = op.operand(filter, 'filter');
  op.requireSameType(w, 'filter', x.dataType);
  const bias = op.optionalOperand(opts.bias, 'bias');
  const { padding, strides, dilations, groups, inputLayout } = readCommonOptions(op, opts);
  const filterLayout =
    opts.filterLayout === undefined
      ? 'oihw'
      : toEnum(opts.filterLayout, ['oihw', 'hwio', 'ohwi', 'ihwo'], `${op.what}: filterLayout`);
  const [batches, inChannels, inHeight, inWidth] =
    inputLayout === 'nchw' ? x.shape : [x.shape[0], x.shape[3], x.shape[1], x.shape[2]];
  const filterPermutation = CONV_FILTER_TO_OIHW[filterLayout];
  const [outChannels, filterInChannels, kernelHeight, kernelWidth] = permuteShape(w.shape, filterPermutation);
  if (inChannels % groups !== 0)
    op.fail(`input channels ${inChannels} are not divisible by groups ${groups}`);
  if (inChannels / groups !== filterInChannels) {
    op.fail(`filter has ${filterInChannels} input channels per group, expected ${inChannels / groups}`);
  }
  if (outChannels % groups !== 0)
    op.fail(`output channels ${outChannels} are not divisible by groups ${groups}`);
  if (bias) {
    op.requireSameType(bias, 'bias', x.dataType);
    if (!shapesEqual(bias.shape, [outChannels]))
      op.fail(`bias must have shape [${outChannels}], got [${bias.shape}]`);
  }
  const outHeight = floor(
    (inHeight - (kernelHeight - 1) * dilations[0] - 1 + padding[0] + padding[1]) / strides[0] + 1,
  );
  const outWidth = floor(
    (inWidth - (kernelWidth - 1) * dilations[1] - 1 + padding[2] + padding[3]) / strides[1] + 1,
  );
  if (!isValidDimension(outHeight) || !isValidDimension(outWidth)) {
    op.fail(`the output size ${outHeight}x${outWidth} is not valid (input too small for the filter)`);
  }
  const nchwShape = [batches, outChannels, outHeight, outWidth];
  const output = {
    dataType: x.dataType,
    shape: inputLayout === 'nchw' ? nchwShape : [batches, outHeight, outWidth, outChannels],
  };
  const inputOffsets = lazy(() => transposeOffsets(x.shape, NHWC_TO_NCHW));
  const filterCache = new WeakMap<RuntimeTensor, Float32Array>();
  return op.emitOne(bias ? [x, w, bias] : [x, w], output, ([vx, vw, vb]) => {
    const X = nchwValues(vx, inputLayout, inputOffsets);
    const W = canonicalFilter(filterCache, vw, filterPermutation);
    const B = vb ? asFloat32(vb) : undefined;
    const out = new Float32Array(batches * outChannels * outHeight * outWidth);
    const inPerGroup = inChannels / groups;
    const outPerGroup = outChannels / groups;
    const planeSize = outHeight * outWidth;
    const inPlaneSize = inHeight * inWidth;
    // Each output pixel: gather its receptive field (zeros for padding) in filter order, then
    // take one contiguous dot product per output channel of the group.
    const patchSize = inPerGroup * kernelHeight * kernelWidth;
    const patch = new Float64Array(patchSize);
    for (let n = 0; n < batches; n++) {
      for (let group = 0; group < groups; group++) {
        const inBase = (n * inChannels + group * inPerGroup) * inPlaneSize;
        for (let oh = 0; oh < outHeight; oh++) {
          for (let ow = 0; ow < outWidth; ow++) {
            let p = 0;
            for (let icg = 0; icg < inPerGroup; icg++) {
              const plane = inBase + icg * inPlaneSize;
              for (let kh = 0; kh < kernelHeight; kh++) {
                const ih = oh * strides[0] - padding[0] + kh * dilations[0];
                const rowInside = ih >= 0 && ih < inHeight;
                const row = plane + ih * inWidth;
                for (let kw = 0; kw < kernelWidth; kw++) {
                  const iw = ow * strides[1] - padding[2] + kw * dilations[1];
                  patch[p++] = rowInside && iw >= 0 && iw < inWidth ? X[row + iw] : 0;
                }
              }
            }
            const pixel = oh * outWidth + ow;
            for (let ocg = 0; ocg < outPerGroup; ocg++) {
              const oc = group * outPerGroup + ocg;
              out[(n * outChannels + oc) * planeSize + pixel] =
                dot(patch, W, oc * patchSize, patchSize) + (B ? B[oc] : 0);
            }
          }
        }
      }
    }
    return floatTensor(output, finishOutput(out, nchwShape, inputLayout));
  });
}

/** Σ patch[k] · weights[offset + k], four partial sums. */
function dot(patch: Float64Array, weights: Float32Array, offset: number, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 4 <= length; k += 4) {
    s0 += patch[k] * weights[offset + k];
    s1 += patch[k + 1] * weights[offset + k + 1];
    s2 += patch[k + 2] * weights[offset + k + 2];
    s3 += patch[k + 3] * weights[offset + k + 3];
  }
  for (; k < length; k++) s0 += patch[k] * weights[offset + k];
  return s0 + s1 + (s2 + s3);
}

export function buildConvTranspose2d(
  state: BuildState,
  input: unknown,
  filter: unknown,
  options: unknown,
): MLOperand {
  const opts = toDictionary<MLConvTranspose2dOptions>(options, 'convTranspose2d');
  const op = new OperatorBuild(state, 'convTranspose2d', opts);
  const x = op.operand(input, 'input');
  const w = op.operand(filter, 'filter');
  op.requireSameType(w, 'filter', x.dataType);
  const bias = op.optionalOperand(opts.bias, 'bias');
  const { padding, strides, dilations, groups, inputLayout } = readCommonOptions(op, opts);
  const filterLayout =
    opts.filterLayout === undefined
      ? 'iohw'
      : toEnum(opts.filterLayout, ['iohw', 'hwoi', 'ohwi'], `${op.what}: filterLayout`);
  const outputPadding =
    opts.outputPadding === undefined
      ? [0, 0]
      : toUnsignedLongSequence(opts.outputPadding, `${op.what}: outputPadding`);
  if (outputPadding.length !== 2) op.fail('outputPadding must have 2 items');
  const outputSizes =
    opts.outputSizes === undefined
      ? undefined
      : toUnsignedLongSequence(opts.outputSizes, `${op.what}: outputSizes`);
  if (outputSizes && outputSizes.length !== 2) op.fail('outputSizes must have 2 items');
  if (!outputSizes && (outputPadding[0] >= strides[0] || outputPadding[1] >= strides[1])) {
    op.fail(`outputPadding [${outputPadding}] must be smaller than strides [${strides}]`);
  }
  const [batches, inChannels, inHeight, inWidth] =
    inputLayout === 'nchw' ? x.shape : [x.shape[0], x.shape[3], x.shape[1], x.shape[2]];
  const filterPermutation = TRANSPOSED_FILTER_TO_IOHW[filterLayout];
  const [filterInChannels, outPerGroup, kernelHeight, kernelWidth] = permuteShape(w.shape, filterPermutation);
  if (inChannels !== filterInChannels)
    op.fail(`filter has ${filterInChannels} input channels, input has ${inChannels}`);
  if (inChannels % groups !== 0)
    op.fail(`input channels ${inChannels} are not divisible by groups ${groups}`);
  const outChannels = outPerGroup * groups;
  if (bias) {
    op.requireSameType(bias, 'bias', x.dataType);
    if (!shapesEqual(bias.shape, [outChannels]))
      op.fail(`bias must have shape [${outChannels}], got [${bias.shape}]`);
  }
  const calcHeight =
    (inHeight - 1) * strides[0] + (kernelHeight - 1) * dilations[0] + 1 - padding[0] - padding[1];
  const calcWidth =
    (inWidth - 1) * strides[1] + (kernelWidth - 1) * dilations[1] + 1 - padding[2] - padding[3];
  let outHeight: number;
  let outWidth: number;
  if (outputSizes) {
    [outHeight, outWidth] = outputSizes;
    if (
      outHeight < calcHeight ||
      outHeight >= calcHeight + strides[0] ||
      outWidth < calcWidth ||
      outWidth >= calcWidth + strides[1]
    ) {
      op.fail(
        `outputSizes [${outputSizes}] must be within a stride of the computed size [${calcHeight},${calcWidth}]`,
      );
    }
  } else {
    outHeight = calcHeight + outputPadding[0];
    outWidth = calcWidth + outputPadding[1];
  }
  if (!isValidDimension(outHeight) || !isValidDimension(outWidth))
    op.fail(`the output size ${outHeight}x${outWidth} is not valid`);
  const nchwShape = [batches, outChannels, outHeight, outWidth];
  const output = {
    dataType: x.dataType,
    shape: inputLayout === 'nchw' ? nchwShape : [batches, outHeight, outWidth, outChannels],
  };
  const inputOffsets = lazy(() => transposeOffsets(x.shape, NHWC_TO_NCHW));
  const filterCache = new WeakMap<RuntimeTensor, Float32Array>();
  return op.emitOne(bias ? [x, w, bias] : [x, w], output, ([vx, vw, vb]) => {
    const X = nchwValues(vx, inputLayout, inputOffsets);
    const W = canonicalFilter(filterCache, vw, filterPermutation);
    const B = vb ? asFloat32(vb) : undefined;
    const planeSize = outHeight * outWidth;
    const acc = new Float64Array(batches * outChannels * planeSize);
    for (let n = 0; n < batches; n++) {
      for (let oc = 0; oc < outChannels; oc++)
        acc.fill(B ? B[oc] : 0, (n * outChannels + oc) * planeSize, (n * outChannels + oc + 1) * planeSize);
    }
    const inPerGroup = inChannels / groups;
    for (let n = 0; n < batches; n++) {
      for (let ic = 0; ic < inChannels; ic++) {
        const group = floor(ic / inPerGroup);
        const inPlane = (n * inChannels + ic) * inHeight * inWidth;
        for (let ocg = 0; ocg < outPerGroup; ocg++) {
          const outPlane = (n * outChannels + group * outPerGroup + ocg) * planeSize;
          for (let kh = 0; kh < kernelHeight; kh++) {
            for (let kw = 0; kw < kernelWidth; kw++) {
              const weight = W[((ic * outPerGroup + ocg) * kernelHeight + kh) * kernelWidth + kw];
              if (weight === 0) continue;
              for (let ih = 0; ih < inHeight; ih++) {
                const oh = ih * strides[0] - padding[0] + kh * dilations[0];
                if (oh < 0 || oh >= outHeight) continue;
                for (let iw = 0; iw < inWidth; iw++) {
                  const ow = iw * strides[1] - padding[2] + kw * dilations[1];
                  if (ow < 0 || ow >= outWidth) continue;
                  acc[outPlane + oh * outWidth + ow] += weight * X[inPlane + ih * inWidth + iw];
                }
              }
            }
          }
        }
      }
    }
    return floatTensor(output, finishOutput(Float32Array.from(acc), nchwShape, inputLayout));
  });
}
