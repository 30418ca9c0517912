// User-facing errors. A UserError is a problem with the user's input (file, option,
// config, model): the CLI and the Action print its one-line message and exit 2.
// Anything else is our bug: exit 1 with the stack.
//   throw new UserError(`model.onnx: not an ONNX model (…). Pass a .onnx file.`);

export class UserError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** The message of any thrown value, for warnings. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
