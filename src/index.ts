import { runAction } from './action/main.js';
import { cleanUpOnSignals } from './pipeline/run.js';
cleanUpOnSignals();
process.exitCode = await runAction();
