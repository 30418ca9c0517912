import { runAction } from './action/main.js';
process.exitCode = await runAction();
