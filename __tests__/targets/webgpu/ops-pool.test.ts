// Cross-checks of the WebGPU pooling and resampling kernels: MaxPool / AveragePool / LpPool
// (pads, strides, dilations, auto_pad, ceil_mode, count_include_pad, 1-D to 3-D), the global
// pools, Resize (nearest with each nearest_mode, linear; each coordinate transform; scales,
// sizes, axes, aspect policy), Upsample, DepthToSpace and SpaceToDepth — one-node ONNX models
// on ONNX Runtime vs the generated webgpu module on Dawn (rel_l2 ≤ 2e-6; ints exact) — and the
// reasons given for the forms the target does not compute.
import { webgpuTarget } from '../../../src/targets/webgpu/index.js';
import { buildModel, crossCheck, oneOp, tensor, type ModelSpec } from '../webnn/cross-check.js';

const f = (name: string, dims: (number | string)[], more = {}) => tensor(name, 'float32', dims, more);
const y = (dims: (number | string)[], dtype: 'float32' | 'int32' | 'uint8' = 'float32') => [
  { name: 'y', dtype, dims },
];
const i64 = (name: string, data: number[]) => tensor(name, 'int64', [data.length], { data, constant: true });
const target = webgpuTarget;

const poolCases: [string, ModelSpec][] = [
  [
    'MaxPool pads and strides',
    oneOp('MaxPool', [f('x', [1, 2, 7, 7])], y([1, 2, 4, 4]), {
      kernel_shape: [3, 3],
      strides: [2, 2],
      pads: [1, 1, 1, 1],
    }),
  ],
  [
    'MaxPool ceil_mode',
    oneOp('MaxPool', [f('x', [1, 1, 6, 6])], y([1, 1, 3, 3]), {
      kernel_shape: [3, 3],
      strides: [2, 2],
      ceil_mode: 1,
    }),
  ],
  [
    'MaxPool ceil_mode drops a window starting in the end padding',
    oneOp('MaxPool', [f('x', [1, 2, 4, 5])], y([1, 2, 2, 3]), {
      kernel_shape: [2, 2],
      strides: [2, 2],
      pads: [0, 0, 1, 1],
      ceil_mode: 1,
    }),
  ],
  [
    'MaxPool dilations',
    oneOp('MaxPool', [f('x', [1, 1, 7, 7])], y([1, 1, 3, 3]), {
      kernel_shape: [2, 2],
      dilations: [2, 2],
      strides: [2, 2],
    }),
  ],
  [
    'MaxPool SAME_UPPER',
    oneOp('MaxPool', [f('x', [2, 3, 5, 6])], y([2, 3, 3, 3]), {
      kernel_shape: [3, 2],
      strides: [2, 2],
      auto_pad: 'SAME_UPPER',
    }),
  ],
  [
    'MaxPool SAME_LOWER with dilations (padding from the undilated kernel, as ONNX Runtime)',
    oneOp('MaxPool', [f('x', [1, 2, 7, 6])], y([1, 2, 3, 2]), {
      kernel_shape: [3, 2],
      auto_pad: 'SAME_LOWER',
      strides: [2, 2],
      dilations: [2, 2],
    }),
  ],
  [
    'AveragePool dilations, count_include_pad and ceil_mode (opset 19)',
    oneOp(
      'AveragePool',
      [f('x', [1, 2, 7, 7])],
      y([1, 2, 4, 4]),
      {
        kernel_shape: [2, 3],
        dilations: [2, 2],
        strides: [2, 2],
        pads: [1, 1, 1, 1],
        count_include_pad: 1,
        ceil_mode: 1,
      },
      { opset: 19 },
    ),
  ],
  ['MaxPool 1-D', oneOp('MaxPool', [f('x', [2, 3, 9])], y([2, 3, 4]), { kernel_shape: [3], strides: [2] })],
  [
    'MaxPool 3-D',
    oneOp('MaxPool', [f('x', [1, 2, 4, 5, 6])], y([1, 2, 2, 3, 3]), {
      kernel_shape: [2, 2, 2],
      strides: [2, 2, 2],
      pads: [0, 1, 0, 0, 0, 0],
    }),
  ],
  [
    'AveragePool excluding pads',
    oneOp('AveragePool', [f('x', [1, 2, 5, 5])], y([1, 2, 3, 3]), {
      kernel_shape: [3, 3],
      strides: [2, 2],
      pads: [1, 1, 1, 1],
    }),
  ],
  [
    'AveragePool count_include_pad',
    oneOp('AveragePool', [f('x', [1, 2, 5, 5])], y([1, 2, 3, 3]), {
      kernel_shape: [3, 3],
      strides: [2, 2],
      pads: [1, 1, 1, 1],
      count_include_pad: 1,
    }),
  ],
  [
    'AveragePool count_include_pad with ceil_mode',
    oneOp('AveragePool', [f('x', [1, 2, 6, 6])], y([1, 2, 4, 4]), {
      kernel_shape: [3, 3],
      strides: [2, 2],
      pads: [1, 1, 0, 0],
      ceil_mode: 1,
      count_include_pad: 1,
    }),
  ],
  [
    'AveragePool ceil_mode excluding pads',
    oneOp('AveragePool', [f('x', [1, 2, 6, 7])], y([1, 2, 3, 3]), {
      kernel_shape: [3, 3],
      strides: [2, 3],
      ceil_mode: 1,
    }),
  ],
  [
    'AveragePool SAME_LOWER',
    oneOp('AveragePool', [f('x', [1, 1, 5, 6])], y([1, 1, 3, 3]), {
      kernel_shape: [2, 3],
      strides: [2, 2],
      auto_pad: 'SAME_LOWER',
    }),
  ],
  [
    'AveragePool 1-D',
    oneOp('AveragePool', [f('x', [2, 3, 9])], y([2, 3, 4]), { kernel_shape: [3], strides: [2] }),
  ],
  [
    'AveragePool dilations (opset 19)',
    oneOp(
      'AveragePool',
      [f('x', [1, 2, 7, 7])],
      y([1, 2, 3, 3]),
      { kernel_shape: [2, 2], dilations: [2, 2], strides: [2, 2] },
      { opset: 19 },
    ),
  ],
  [
    'LpPool p=2',
    oneOp('LpPool', [f('x', [1, 2, 4, 4])], y([1, 2, 2, 2]), { kernel_shape: [2, 2], strides: [2, 2] }),
  ],
  [
    'LpPool p=3 with pads',
    oneOp('LpPool', [f('x', [1, 2, 5, 5])], y([1, 2, 3, 3]), {
      kernel_shape: [3, 3],
      strides: [2, 2],
      pads: [1, 1, 1, 1],
      p: 3,
    }),
  ],
  ['GlobalAveragePool', oneOp('GlobalAveragePool', [f('x', [2, 3, 4, 5])], y([2, 3, 1, 1]))],
  [
    'GlobalAveragePool over 2500 pixels',
    oneOp('GlobalAveragePool', [f('x', [1, 3, 50, 50])], y([1, 3, 1, 1])),
  ],
  ['GlobalMaxPool', oneOp('GlobalMaxPool', [f('x', [2, 3, 4, 5])], y([2, 3, 1, 1]))],
  ['GlobalMaxPool 1-D', oneOp('GlobalMaxPool', [f('x', [2, 3, 70])], y([2, 3, 1]))],
  ['GlobalLpPool', oneOp('GlobalLpPool', [f('x', [2, 3, 4, 5])], y([2, 3, 1, 1]))],
];

const noRoi = f('roi', [0], { constant: true });
const noScales = f('s', [0], { constant: true });
const scales = (values: number[]) => f('s', [values.length], { data: values, constant: true });
const resize = (
  x: number[],
  out: number[],
  by: { scales?: number[]; sizes?: number[] },
  attrs: Record<string, string | number | number[]>,
  opset = 13,
): ModelSpec =>
  oneOp(
    'Resize',
    by.sizes ? [f('x', x), noRoi, noScales, i64('z', by.sizes)] : [f('x', x), noRoi, scales(by.scales!)],
    y(out),
    attrs,
    { opset },
  );

const resizeCases: [string, ModelSpec][] = [
  [
    'Resize linear half_pixel by scales',
    resize([1, 2, 3, 4], [1, 2, 6, 8], { scales: [1, 1, 2, 2] }, { mode: 'linear' }),
  ],
  [
    'Resize linear half_pixel by sizes (downsample)',
    resize([1, 2, 6, 8], [1, 2, 3, 5], { sizes: [1, 2, 3, 5] }, { mode: 'linear' }),
  ],
  [
    'Resize linear align_corners by sizes',
    resize(
      [1, 2, 4, 5],
      [1, 2, 7, 3],
      { sizes: [1, 2, 7, 3] },
      { mode: 'linear', coordinate_transformation_mode: 'align_corners' },
    ),
  ],
  [
    'Resize linear pytorch_half_pixel to a width of 1',
    resize(
      [1, 2, 4, 5],
      [1, 2, 6, 1],
      { sizes: [1, 2, 6, 1] },
      { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' },
    ),
  ],
  [
    'Resize linear asymmetric by 1.7',
    resize(
      [1, 2, 5, 4],
      [1, 2, 8, 6],
      { scales: [1, 1, 1.7, 1.7] },
      { mode: 'linear', coordinate_transformation_mode: 'asymmetric' },
    ),
  ],
  [
    'Resize linear half_pixel_symmetric (opset 19)',
    resize(
      [1, 2, 5, 4],
      [1, 2, 8, 6],
      { scales: [1, 1, 1.7, 1.7] },
      { mode: 'linear', coordinate_transformation_mode: 'half_pixel_symmetric' },
      19,
    ),
  ],
  [
    'Resize nearest asymmetric floor 2×',
    resize(
      [1, 2, 3, 4],
      [1, 2, 6, 8],
      { scales: [1, 1, 2, 2] },
      { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' },
    ),
  ],
  [
    'Resize nearest half_pixel round_prefer_floor 3× (opset 11)',
    resize([1, 1, 2, 3], [1, 1, 6, 9], { scales: [1, 1, 3, 3] }, { mode: 'nearest' }, 11),
  ],
  [
    'Resize nearest round_prefer_ceil by sizes (odd, down and up)',
    resize(
      [1, 2, 7, 4],
      [1, 2, 3, 10],
      { sizes: [1, 2, 3, 10] },
      { mode: 'nearest', nearest_mode: 'round_prefer_ceil' },
    ),
  ],
  [
    'Resize nearest ceil align_corners',
    resize(
      [1, 2, 5, 4],
      [1, 2, 8, 7],
      { sizes: [1, 2, 8, 7] },
      { mode: 'nearest', nearest_mode: 'ceil', coordinate_transformation_mode: 'align_corners' },
    ),
  ],
  [
    'Resize nearest tf_half_pixel_for_nn (opset 11)',
    resize(
      [1, 2, 5, 4],
      [1, 2, 7, 10],
      { sizes: [1, 2, 7, 10] },
      { mode: 'nearest', coordinate_transformation_mode: 'tf_half_pixel_for_nn' },
      11,
    ),
  ],
  [
    'Resize opset 10 (nearest, scales as input 1)',
    oneOp(
      'Resize',
      [f('x', [1, 2, 3, 4]), scales([1, 1, 2, 1.5])],
      y([1, 2, 6, 6]),
      { mode: 'nearest' },
      { opset: 10 },
    ),
  ],
  [
    'Resize opset 18 axes with keep_aspect_ratio_policy not_larger',
    oneOp(
      'Resize',
      [f('x', [1, 2, 4, 6]), noRoi, noScales, i64('z', [9, 9])],
      y([1, 2, 6, 9]),
      { mode: 'linear', axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' },
      { opset: 18 },
    ),
  ],
  [
    'Resize nearest of int32 values',
    oneOp(
      'Resize',
      [tensor('x', 'int32', [1, 1, 3, 3], { low: -50, high: 50 }), noRoi, scales([1, 1, 2, 2])],
      y([1, 1, 6, 6], 'int32'),
      { mode: 'nearest' },
      { opset: 13 },
    ),
  ],
  [
    'Upsample opset 9 (nearest)',
    oneOp(
      'Upsample',
      [f('x', [1, 2, 3, 4]), scales([1, 1, 2, 3])],
      y([1, 2, 6, 12]),
      { mode: 'nearest' },
      { opset: 9 },
    ),
  ],
  [
    'Upsample opset 7 (linear, scales attribute)',
    oneOp(
      'Upsample',
      [f('x', [1, 2, 3, 4])],
      y([1, 2, 6, 6]),
      { mode: 'linear', scales: { floats: [1, 1, 2, 1.5] } },
      { opset: 7 },
    ),
  ],
  [
    'DepthToSpace DCR',
    oneOp('DepthToSpace', [f('x', [2, 8, 2, 3])], y([2, 2, 4, 6]), { blocksize: 2 }, { opset: 13 }),
  ],
  [
    'DepthToSpace CRD',
    oneOp(
      'DepthToSpace',
      [f('x', [1, 18, 2, 2])],
      y([1, 2, 6, 6]),
      { blocksize: 3, mode: 'CRD' },
      { opset: 13 },
    ),
  ],
  [
    'SpaceToDepth',
    oneOp('SpaceToDepth', [f('x', [2, 3, 4, 6])], y([2, 12, 2, 3]), { blocksize: 2 }, { opset: 13 }),
  ],
];

describe('webgpu pooling kernels match ONNX Runtime', () => {
  test.each(poolCases)('%s', async (_title, spec) => {
    const r = await crossCheck(spec, { target });
    expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
  });

  test('MaxPool of uint8 values is exact (opset 12)', async () => {
    const spec = oneOp(
      'MaxPool',
      [tensor('x', 'uint8', [1, 2, 5, 5], { low: 0, high: 255 })],
      y([1, 2, 3, 3], 'uint8'),
      { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] },
      { opset: 12 },
    );
    const r = await crossCheck(spec, { target });
    expect(r.mismatched).toEqual([]);
    expect(r.dims.y).toEqual([1, 2, 3, 3]);
  });
});

describe('webgpu resampling kernels match ONNX Runtime', () => {
  test.each(resizeCases)('%s', async (_title, spec) => {
    const r = await crossCheck(spec, { target });
    expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
    expect(r.mismatched).toEqual([]);
  });
});

describe('webgpu CNN ops the target cannot express say why', () => {
  test.each([
    [
      'MaxPool asking for Indices',
      oneOp(
        'MaxPool',
        [f('x', [1, 1, 4, 4])],
        [...y([1, 1, 2, 2]), { name: 'i', dtype: 'int64', dims: [1, 1, 2, 2] }],
        {
          kernel_shape: [2, 2],
        },
      ),
      /Indices output/,
    ],
    [
      'Resize cubic',
      resize([1, 1, 2, 2], [1, 1, 4, 4], { scales: [1, 1, 2, 2] }, { mode: 'cubic' }),
      /cubic interpolation/,
    ],
    [
      'Resize tf_crop_and_resize',
      resize(
        [1, 1, 2, 2],
        [1, 1, 4, 4],
        { scales: [1, 1, 2, 2] },
        { mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize' },
      ),
      /tf_crop_and_resize/,
    ],
  ])('%s', (_title, spec, reason) => {
    const gaps = target.supports(buildModel(spec), 'fp32');
    expect(gaps).toHaveLength(1);
    expect(gaps[0].reason).toMatch(reason);
  });
});
