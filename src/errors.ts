// User-facing errors. A UserError is a problem with the user's input (file, option,
// config, model): the CLI and the Action print its one-line message and exit 2.
// Anything else is our bug: exit 1 with the stack.
//   throw new UserError(`model.onnx: not an ONNX model (…). Pass a .onnx file.`);

export class UserError extends Error {
  readonly exitCode = 2;
  /** Lines printed after the message (a Python traceback with --verbose); escaped line by line. */
  readonly detail?: string;
  /** The message is made printable on one line (see printable): names from a model cannot break it. */
  constructor(message: string, options: { detail?: string } = {}) {
    super(printable(message));
    this.name = 'UserError';
    if (options.detail) this.detail = printableLines(options.detail);
  }
}

// C0 and C1 controls, DEL, line/paragraph separators and bidi controls (U+200E/F, U+202A–E,
// U+2066–9): anything that could end a log line, move the cursor or reorder what is shown.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every control character escaped (\n, \x1b, \u202e …), so a value name or a
 * path from a model or config prints as one inert line: it cannot start a new log line, so
 * it cannot forge "::error::" / "::set-output" workflow commands or terminal escapes.
 *   printable('a\n::error::x') // 'a\\n::error::x'
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (ch) => {
    const code = ch.charCodeAt(0);
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    if (ch === '\t') return '\\t';
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Each line of `text` made printable and indented by two spaces (no line can start a command). */
export function printableLines(text: string): string {
  return text
    .trimEnd()
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => `  ${printable(line)}`)
    .join('\n');
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** The message of any thrown value, for warnings. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
