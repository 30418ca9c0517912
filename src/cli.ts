// CLI entry (bin: model-convert). All logic is in cli/main.ts.
import { runCli } from './cli/main.js';
import { cleanUpOnSignals } from './pipeline/run.js';

cleanUpOnSignals();
process.exitCode = await runCli(process.argv.slice(2));
