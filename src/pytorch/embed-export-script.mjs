// Writes export-script.ts: export_model.py's text as a string constant, so that the exporter
// travels inside every bundle (dist/index.js, dist/cli/index.js) and the tsc build without
// asset copying. Run after editing export_model.py; a test fails while the two differ.
//   node src/pytorch/embed-export-script.mjs

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function renderExportScriptModule(pythonText) {
  const escaped = pythonText.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  return (
    '// Generated from export_model.py by embed-export-script.mjs: do not edit by hand.\n' +
    '// The PyTorch exporter script, embedded so that it ships inside dist/ (export.ts writes it\n' +
    '// to a temporary folder and runs it).\n' +
    '//   writeFileSync(path.join(dir, EXPORT_SCRIPT_NAME), EXPORT_SCRIPT);\n\n' +
    "export const EXPORT_SCRIPT_NAME = 'export_model.py';\n\n" +
    `export const EXPORT_SCRIPT = \`${escaped}\`;\n`
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const here = (name) => fileURLToPath(new URL(name, import.meta.url));
  writeFileSync(
    here('./export-script.ts'),
    renderExportScriptModule(readFileSync(here('./export_model.py'), 'utf8')),
  );
}
