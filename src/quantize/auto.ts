// `auto` precision: the assignment of bits to weights with the fewest bytes whose outputs
// still meet the tolerance. Measures each weight's sensitivity (output error with only that
// weight quantized, at each width of the ladder), starts every weight at the lowest width,
// then greedily upgrades the weight that buys the most error reduction per extra byte until
// the predicted error (errors add roughly in squares) is inside the target; the combined
// model is then measured and upgrading continues until it really passes. Calibration
// samples only — never the verification samples.
//   const { model, assignments } = await quantizeAuto(context);

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TensorMap } from '../onnx/dtype.js';
import { writeModel } from '../onnx/model-io.js';
import { runSamples } from '../verify/compare-runs.js';
import { compareTensors, worstMetrics } from '../verify/metrics.js';
import { createOrtRunner } from '../verify/ort-runner.js';
import type { Metrics, Tolerance } from '../verify/types.js';
import { QuantizationSession } from './nbit.js';
import type { BitsForWeight } from './policy.js';
import type { TransformContext, TransformResult } from './types.js';
import type { QuantizableWeight } from './weights.js';

/** Widths auto chooses from, cheapest first (16 = float16 storage). */
export const AUTO_BIT_LADDER = [2, 3, 4, 8, 16] as const;
/** Calibration samples auto measures on. */
export const AUTO_SAMPLES = 8;
/** Aim this far inside the tolerance, so the verification samples pass too. */
export const AUTO_MARGIN = 0.8;

/** Squared-relative-error budget implied by a tolerance (cosine ≈ 1 − rel²/2). */
export function errorBudget(tolerance: Tolerance): number {
  const bounds: number[] = [];
  if (tolerance.rel_l2 !== undefined) bounds.push(tolerance.rel_l2 ** 2);
  if (tolerance.cosine !== undefined) bounds.push(2 * (1 - tolerance.cosine));
  if (tolerance.snr_db !== undefined) bounds.push(10 ** (-tolerance.snr_db / 10));
  const budget = bounds.length > 0 ? Math.min(...bounds) : 0.01;
  return budget * AUTO_MARGIN * AUTO_MARGIN;
}

function estimatedBytes(w: QuantizableWeight, bits: number, blockSize: number, symmetric: boolean): number {
  const count = w.dims.reduce((a, b) => a * b, 1);
  if (bits >= 16) return count * 2;
  const blocks = Math.ceil(count / blockSize);
  return (count * bits) / 8 + blocks * 4 + (symmetric ? 0 : (blocks * bits) / 8);
}

interface Measurement {
  metrics: Record<string, Metrics>;
  /** Worst squared relative error over outputs. */
  errorSq: number;
}

export async function quantizeAuto(context: TransformContext): Promise<TransformResult> {
  const session = new QuantizationSession(context, { cacheQuantized: true });
  const weights = session.weights;
  if (weights.length === 0) return session.build(() => undefined);
  const samples: TensorMap[] = (await context.calibration()).slice(0, AUTO_SAMPLES);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'model-convert-auto-'));
  const reference = await createOrtRunner(context.source.path);
  try {
    const refOut = await runSamples(reference, samples);
    const outputs = Object.keys(refOut[0] ?? {});
    const tolerance = (o: string): Tolerance => context.toleranceFor?.(o) ?? { rel_l2: 0.1, cosine: 0.99 };
    const budget = Math.min(...outputs.map((o) => errorBudget(tolerance(o))));
    let counter = 0;
    const measure = async (bitsFor: BitsForWeight): Promise<Measurement> => {
      const { model } = await session.build(bitsFor);
      const file = path.join(dir, `candidate-${counter++}.onnx`);
      writeModel(model, file);
      const runner = await createOrtRunner(file);
      try {
        const out = await runSamples(runner, samples);
        const metrics: Record<string, Metrics> = {};
        for (const o of outputs)
          metrics[o] = worstMetrics(refOut.map((r, i) => compareTensors(r[o], out[i][o])));
        const errorSq = Math.max(...outputs.map((o) => metrics[o].rel_l2 ** 2));
        return { metrics, errorSq };
      } finally {
        await runner.dispose();
        rmSync(file, { force: true });
      }
    };
    const meets = (m: Measurement): boolean =>
      outputs.every((o) => {
        const t = tolerance(o);
        const x = m.metrics[o];
        return (
          (t.rel_l2 === undefined || x.rel_l2 <= t.rel_l2 * AUTO_MARGIN) &&
          (t.cosine === undefined || 1 - x.cosine <= (1 - t.cosine) * AUTO_MARGIN) &&
          x.nan === 0 &&
          x.inf === 0
        );
      });

    // Sensitivity of each weight at each width (others fp32); float16 taken as error-free.
    const ladder = AUTO_BIT_LADDER;
    const sensitivity = new Map<string, number[]>();
    for (const w of weights) {
      const errors: number[] = [];
      for (const bits of ladder) {
        errors.push(bits >= 16 ? 0 : (await measure((x) => (x.name === w.name ? bits : undefined))).errorSq);
      }
      // Errors must not grow with more bits (noise can make them): enforce monotonicity.
      for (let i = errors.length - 2; i >= 0; i--) errors[i] = Math.max(errors[i], errors[i + 1]);
      sensitivity.set(w.name, errors);
    }
    const level = new Map(weights.map((w) => [w.name, 0]));
    const bytes = (w: QuantizableWeight, i: number): number =>
      estimatedBytes(w, ladder[i], context.settings.blockSize, context.settings.symmetric);
    const predicted = (): number =>
      weights.reduce((n, w) => n + sensitivity.get(w.name)![level.get(w.name)!], 0);
    const upgrade = (): boolean => {
      let best: QuantizableWeight | undefined;
      let bestGain = -Infinity;
      for (const w of weights) {
        const i = level.get(w.name)!;
        if (i >= ladder.length - 1) continue;
        const e = sensitivity.get(w.name)!;
        const gain = (e[i] - e[i + 1]) / Math.max(1, bytes(w, i + 1) - bytes(w, i));
        if (gain > bestGain) {
          bestGain = gain;
          best = w;
        }
      }
      if (!best) return false;
      level.set(best.name, level.get(best.name)! + 1);
      return true;
    };
    const bitsFor: BitsForWeight = (w) => ladder[level.get(w.name) ?? ladder.length - 1];
    let scale = 1;
    for (;;) {
      while (predicted() * scale > budget && upgrade());
      const actual = await measure(bitsFor);
      if (meets(actual)) break;
      // Errors did not add up as predicted: calibrate the prediction and keep upgrading.
      scale = Math.max(scale * 1.25, actual.errorSq / Math.max(predicted(), 1e-30));
      if (!upgrade()) {
        context.warn(
          `auto: even ${ladder[ladder.length - 1]}-bit weights everywhere do not meet the tolerance on the calibration samples.`,
        );
        break;
      }
    }
    return session.build(bitsFor);
  } finally {
    await reference.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
