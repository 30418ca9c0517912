// The raw options a shell (CLI flags or Action inputs) hands to makePlan. Strings are
// parsed there, so the CLI and the Action accept exactly the same values.

export interface PlanOptions {
  model: string;
  /** Comma- or newline-separated target names; default from convert.yml, else "onnx". */
  targets?: string;
  /** Comma- or newline-separated precisions; default from convert.yml, else "fp32". */
  precisions?: string;
  outDir?: string;
  /** Path of convert.yml. */
  config?: string;
  /** Inputs file (.npz/.npy/.json, or name=file.npy,… pairs). */
  inputs?: string;
  /** Preset name (strict|default|loose) or a YAML/JSON file of tolerance rules. */
  tolerance?: string;
  samples?: string | number;
  seed?: string | number;
  cache?: boolean;
  cacheDir?: string;
  verbose?: boolean;
  /** Python that exports a PyTorch source (default: convert.yml `pytorch.python`, else python3). */
  python?: string;
  /** Allow unpickling a fully pickled nn.Module (runs code from the file); undefined: convert.yml decides. */
  allowPickle?: boolean;
}
