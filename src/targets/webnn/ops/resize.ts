/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// Resize → WebNN resample2d over two consecutive axes of a 4-D tensor. WebNN samples pixel
// centres (ONNX coordinate_transformation_mode half_pixel) and clamps at the edges: linear
// maps for half_pixel and pytorch_half_pixel; nearest maps where every ONNX rounding rule
// agrees with it — integer upscaling (ONNX asymmetric/floor or half_pixel). Cubic,
// align_corners, tf_crop_and_resize and antialiasing have no WebNN form.
//   resizeOps.Resize[1].lower(g, [x, roi, scales], { mode: 'linear', ... }, 'Resize_3')

import { notExpressible, type BuildContext, type OnnxNodeView, type OpTable, type Value } from './types.js';

type ResizeAttrs = { mode: string; axes: number[] | null };

function lowerResize(g: BuildContext, x: Value[], a: ResizeAttrs, label: string): Value {
  const input = g.operand(x[0]);
  const rank = input.shape.length;
  if (rank !== 4) g.fail(`resizes a rank-${rank} tensor; WebNN resample2d takes rank 4`);
  const given = a.axes === null ? [0, 1, 2, 3] : a.axes.map((axis) => g.axis(axis, rank));
  // Opset 10: (X, scales); opset 11+: (X, roi, scales, sizes).
  const scalesValue = x.length === 2 ? x[1] : x[2];
  const sizesValue = x.length === 2 ? undefined : x[3];
  const scales = new Array<number>(rank).fill(1);
  const sizes = Array.from(input.shape);
  let bySizes = false;
  if (sizesValue !== undefined && sizesValue.dims.some((d) => d > 0)) {
    const values = g.ints(sizesValue, 'the sizes');
    given.forEach((axis, i) => (sizes[axis] = values[i]));
    given.forEach((axis) => (scales[axis] = sizes[axis] / input.shape[axis]));
    bySizes = true;
  } else if (scalesValue !== undefined) {
    const values = g.numbers(scalesValue, 'the scales');
    given.forEach((axis, i) => {
      scales[axis] = values[i];
      sizes[axis] = Math.floor(input.shape[axis] * values[i]);
    });
  }
  const resized = [0, 1, 2, 3].filter((i) => sizes[i] !== input.shape[i] || scales[i] !== 1);
  if (resized.length === 0) return x[0];
  const axes = resized.length === 1 ? (resized[0] === 3 ? [2, 3] : [resized[0], resized[0] + 1]) : resized;
  if (axes.length !== 2 || axes[1] !== axes[0] + 1)
    g.fail(`resizes axes ${resized.join(', ')}; WebNN resample2d resizes two consecutive axes`);
  if (a.mode === 'nearest') {
    for (const axis of axes) {
      if (sizes[axis] % input.shape[axis] !== 0 || sizes[axis] / input.shape[axis] !== scales[axis])
        g.fail(
          `nearest resize by ${scales[axis]} on axis ${axis}; it maps to WebNN only for integer upscaling`,
        );
    }
  }
  const options = {
    mode: a.mode === 'nearest' ? 'nearest-neighbor' : 'linear',
    axes,
    ...(bySizes ? { sizes: axes.map((i) => sizes[i]) } : { scales: axes.map((i) => scales[i]) }),
  };
  return g.result(g.call('resample2d', { input }, input, g.opts(label, options)), x[0].dtype);
}

function resizeAttributes(n: OnnxNodeView) {
  const mode = n.string('mode', 'nearest');
  const transform = n.string('coordinate_transformation_mode', n.opset < 11 ? 'asymmetric' : 'half_pixel');
  if (mode === 'cubic')
    return notExpressible('uses cubic interpolation; WebNN resample2d has nearest and linear');
  if (n.int('antialias', 0) === 1) return notExpressible('antialiases; WebNN resample2d does not');
  if (n.has('keep_aspect_ratio_policy') && n.string('keep_aspect_ratio_policy', 'stretch') !== 'stretch')
    return notExpressible('keeps the aspect ratio by policy; WebNN resample2d stretches');
  const linearOk = transform === 'half_pixel' || transform === 'pytorch_half_pixel';
  const nearestOk =
    linearOk ||
    (transform === 'asymmetric' &&
      n.string('nearest_mode', n.opset < 11 ? 'floor' : 'round_prefer_floor') === 'floor');
  if (mode === 'linear' ? !linearOk : !nearestOk)
    return notExpressible(
      `uses ${mode} with coordinate_transformation_mode "${transform}"; WebNN resample2d samples pixel centres (half_pixel)`,
    );
  return { mode, axes: n.ints('axes') ?? null };
}

export const resizeOps: OpTable = {
  Resize: [{ since: 10, attributes: resizeAttributes, lower: lowerResize }],
};
