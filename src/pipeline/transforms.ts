// Runs precision transforms for the pipeline: one transformed graph per precision and
// settings, shared by every target that asks for the same thing, with calibration samples
// made once (the inputs file, else generated with a seed apart from the verification one).
//   const transforms = new TransformCache({ source, plan, graph, inputs: runner.inputs, warn });
//   const { model } = await transforms.get('int4', target);

import path from 'node:path';
import type { TensorMap } from '../onnx/dtype.js';
import type { Graph } from '../onnx/graph.js';
import type { LoadedModel } from '../onnx/model-io.js';
import type { TensorProto } from '../onnx/proto/index.js';
import { tensorByteLength } from '../onnx/tensor.js';
import { DEFAULT_QUANTIZE_SETTINGS, type QuantizeSettings, type TransformResult } from '../quantize/types.js';
import type { Target } from '../targets/types.js';
import { languageModelShape, selfGeneratedCalibration } from '../quantize/lm-calibration.js';
import { loadInputs } from '../verify/inputs-file.js';
import { createOrtRunner } from '../verify/ort-runner.js';
import { resolveTolerance } from '../verify/tolerance.js';
import { generateSamples } from '../verify/sample-inputs.js';
import type { IOInfo } from '../verify/types.js';
import { TRANSFORMS } from './registry.js';
import type { Plan, Precision } from './types.js';

/** Seed offset so calibration samples never equal the verification samples. */
export const CALIBRATION_SEED_OFFSET = 0x5eed;
export const DEFAULT_CALIBRATION_SAMPLES = 64;

/** Bytes of a constant's data; 0 for a dtype we do not know (it is refused elsewhere). */
function constantBytes(t: TensorProto): number {
  try {
    return tensorByteLength(t);
  } catch {
    return 0;
  }
}

/** Weights above which the default block method is 'mse' rather than 'gptq' (see settingsFor). */
export const GPTQ_MAX_WEIGHT_BYTES = 2 ** 30;

export class TransformCache {
  private readonly results = new Map<string, Promise<TransformResult>>();
  private calibrationSamples?: Promise<TensorMap[]>;
  private weightBytes?: number;
  private warnedLargeWeights = false;

  constructor(
    private readonly args: {
      source: LoadedModel;
      plan: Plan;
      graph: Graph;
      inputs: IOInfo[];
      warn: (message: string) => void;
    },
  ) {}

  /**
   * Settings for a target: defaults, then the target's preferences, then convert.yml. GPTQ
   * calibrates by running the whole model in ONNX Runtime, so above GPTQ_MAX_WEIGHT_BYTES of
   * weights the default method is 'mse' instead (a method set in convert.yml is kept).
   */
  settingsFor(target: Target): QuantizeSettings {
    const settings = {
      ...DEFAULT_QUANTIZE_SETTINGS,
      ...(target.quantizeDefaults ?? {}),
      ...(this.args.plan.quantization ?? {}),
    };
    if (settings.method === 'gptq' && this.args.plan.quantization?.method === undefined) {
      this.weightBytes ??= [...this.args.graph.constants().values()].reduce(
        (n, t) => n + constantBytes(t),
        0,
      );
      if (this.weightBytes > GPTQ_MAX_WEIGHT_BYTES) {
        if (!this.warnedLargeWeights) {
          this.warnedLargeWeights = true;
          this.args.warn(
            `${path.basename(this.args.source.path)}: ${(this.weightBytes / 2 ** 30).toFixed(1)} GiB of weights; quantizing ` +
              `with method 'mse' instead of 'gptq', whose calibration would load the whole model into ONNX Runtime. ` +
              `Set quantization.method: gptq in convert.yml to use it anyway.`,
          );
        }
        settings.method = 'mse';
      }
    }
    return settings;
  }

  get(precision: Precision, target: Target): Promise<TransformResult> {
    const settings = this.settingsFor(target);
    const key = `${precision}\n${JSON.stringify(settings)}`;
    let result = this.results.get(key);
    if (!result) {
      const { plan } = this.args;
      let calibrated = false;
      const transform = TRANSFORMS[precision]!.transform({
        source: this.args.source,
        settings,
        calibration: () => {
          calibrated = true;
          return this.calibration();
        },
        toleranceFor: (output) =>
          resolveTolerance({
            precision,
            target: target.name,
            output,
            preset: plan.tolerancePreset,
            rules: plan.tolerance,
          }),
        warn: this.args.warn,
      });
      result = transform.then((r) => (calibrated ? { ...r, calibration: this.calibrationSource() } : r));
      this.results.set(key, result);
    }
    return result;
  }

  /** Where calibration samples came from, for the report. */
  calibrationSource(): string {
    if (this.args.plan.calibrationInputs)
      return `${this.args.plan.calibrationInputs} (quantization.calibration-inputs)`;
    return this.args.plan.inputsFile
      ? 'the inputs file (also the verification samples: a flattering check; set quantization.calibration-inputs to calibrate on other data)'
      : 'generated samples (a language model writes its own calibration text), never the verification samples';
  }

  private calibration(): Promise<TensorMap[]> {
    this.calibrationSamples ??= this.makeCalibration();
    return this.calibrationSamples;
  }

  /** The inputs file; else generated samples, whose token ids a language model rewrites with its own text. */
  private async makeCalibration(): Promise<TensorMap[]> {
    const { plan, graph, inputs, source } = this.args;
    if (plan.calibrationInputs) return loadInputs(plan.calibrationInputs, inputs);
    if (plan.inputsFile) return loadInputs(plan.inputsFile, inputs);
    const seed = plan.seed + CALIBRATION_SEED_OFFSET;
    const samples = generateSamples(graph, inputs, {
      count: plan.calibrationSamples ?? DEFAULT_CALIBRATION_SAMPLES,
      seed,
      dims: plan.dims,
      intRange: plan.intRange,
    });
    const runner = await createOrtRunner(source.path);
    try {
      const lm = languageModelShape(graph, runner);
      return lm ? await selfGeneratedCalibration(runner, lm, samples, seed) : samples;
    } finally {
      await runner.dispose();
    }
  }
}
