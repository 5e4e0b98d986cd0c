#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript (`npm run build`).
require('../dist/cli/vigil.js');
