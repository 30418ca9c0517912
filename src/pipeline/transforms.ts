// Runs precision transforms for the pipeline: one transformed graph per precision and
// settings, shared by every target that asks for the same thing, with calibration samples
// made once (the inputs file, else generated with a seed apart from the verification one).
//   const transforms = new TransformCache({ source, plan, graph, inputs: runner.inputs, warn });
//   const { model } = await transforms.get('int4', target);

import type { TensorMap } from '../onnx/dtype.js';
import type { Graph } from '../onnx/graph.js';
import type { LoadedModel } from '../onnx/model-io.js';
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

export class TransformCache {
  private readonly results = new Map<string, Promise<TransformResult>>();
  private calibrationSamples?: Promise<TensorMap[]>;

  constructor(
    private readonly args: {
      source: LoadedModel;
      plan: Plan;
      graph: Graph;
      inputs: IOInfo[];
      warn: (message: string) => void;
    },
  ) {}

  /** Settings for a target: defaults, then the target's preferences, then convert.yml. */
  settingsFor(target: Target): QuantizeSettings {
    return { ...DEFAULT_QUANTIZE_SETTINGS, ...(target.quantizeDefaults ?? {}), ...(this.args.plan.quantization ?? {}) };
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
          resolveTolerance({ precision, target: target.name, output, preset: plan.tolerancePreset, rules: plan.tolerance }),
        warn: this.args.warn,
      });
      result = transform.then((r) => (calibrated ? { ...r, calibration: this.calibrationSource() } : r));
      this.results.set(key, result);
    }
    return result;
  }

  /** Where calibration samples came from, for the report. */
  calibrationSource(): string {
    if (this.args.plan.calibrationInputs) return `${this.args.plan.calibrationInputs} (quantization.calibration-inputs)`;
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
