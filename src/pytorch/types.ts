// Types of the PyTorch source: what the Plan says about exporting (from convert.yml's
// `pytorch:` section, --python, --allow-pickle) and what an export reports back.
//   const plan: PytorchPlan = { python: 'python3', allowPickle: false, moduleArgs: [], moduleKwargs: {}, … };

import type { DType } from '../onnx/dtype.js';

/** Element types an example input may have (those NumPy .npz files carry both ways). */
export const PYTORCH_INPUT_DTYPES = [
  'float32',
  'float16',
  'float64',
  'int64',
  'int32',
  'int16',
  'int8',
  'uint8',
  'bool',
] as const satisfies readonly DType[];
export type PytorchInputDType = (typeof PYTORCH_INPUT_DTYPES)[number];

/** One input of forward(), as convert.yml's `pytorch.inputs` describes it. */
export interface PytorchInputSpec {
  /** forward()'s parameter name (inputs bind by name when every name is one), and the ONNX input name. */
  name: string;
  /** Sizes; a string names a dynamic axis, exported as a symbolic dim and sized by `dims`. */
  shape: (number | string)[];
  dtype: PytorchInputDType;
  /** [low, high): floats uniform in it; integers uniform with low and high−1 in every sample. */
  range?: [number, number];
}

/** One output of forward() (tensors in flattening order: tuples, lists, dict values). */
export interface PytorchOutputSpec {
  name: string;
  /** Axis → symbolic dim name, for outputs whose size follows a dynamic input axis. */
  dynamicAxes?: Record<number, string>;
}

/** How to turn a PyTorch file into ONNX; resolved by makePlan. */
export interface PytorchPlan {
  /** Python to run (a command looked up on PATH, or a path). Default "python3". */
  python: string;
  /** Unpickle arbitrary objects (a fully pickled nn.Module). Unpickling runs code from the file. */
  allowPickle: boolean;
  /** "package.module:Class" to build for a state_dict source. */
  module?: string;
  /** Constructor arguments of `module` (JSON values). */
  moduleArgs: unknown[];
  moduleKwargs: Record<string, unknown>;
  /** ONNX opset; default the highest the installed torch exports, at most 20. */
  opset?: number;
  /** forward()'s inputs; needed unless an inputs file (.npz/.npy) gives them. */
  inputs?: PytorchInputSpec[];
  /** forward()'s outputs; default "output" (one) or "output_0", "output_1", … */
  outputs?: PytorchOutputSpec[];
  /** Folders put first on sys.path: convert.yml's folder, then the current folder. */
  workspace: string[];
  /** The export subprocess is stopped after this long. */
  timeoutSeconds: number;
}

/** What the export reports (report.json `model.export`). */
export interface PytorchExportReport {
  /** Wall time of torch.onnx.export alone. */
  seconds: number;
  /** torch.__version__ of the Python that ran the export. */
  torch: string;
  opset: number;
  /** e.g. "torch.onnx.export (TorchScript-based) 2.4.0" */
  exporter: string;
  /** torchscript | exported-program | state-dict | pickled-module */
  kind: string;
  python: string;
}
