#!/usr/bin/env node
// model-convert CLI: runs the bundled CLI in dist/cli (built by `npm run build`).
import '../dist/cli/index.js';
