#!/usr/bin/env node
// Sums the jest stages' JSON results (and opa's counts) into one line, and fails unless every
// stage wrote usable results: a jest that died (OOM, crash, kill) before writing them is a failed
// stage, never "0 failed".
// Usage: node scripts/test-summary.js RESULTS_DIR OPA_PASSED OPA_FAILED STAGE...
'use strict';
const fs = require('node:fs');

const [dir, opaPass, opaFail, ...stages] = process.argv.slice(2);
let passed = Number(opaPass);
let failed = Number(opaFail);
let skipped = 0;
const died = [];
for (const stage of stages) {
  let r;
  try {
    r = JSON.parse(fs.readFileSync(`${dir}/${stage}.json`, 'utf8'));
  } catch {
    died.push(`${stage} (no results file)`);
    continue;
  }
  if (typeof r.numPassedTests !== 'number' || typeof r.numFailedTests !== 'number') {
    died.push(`${stage} (results file is not jest's)`);
    continue;
  }
  const stageFailed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
  passed += r.numPassedTests;
  failed += stageFailed;
  skipped += r.numPendingTests ?? 0;
  if (r.success === false && stageFailed === 0) died.push(`${stage} (jest reported failure without a failed test)`);
}
console.log(`\nvigil: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (died.length) console.log(`vigil: FAILED: ${died.join(', ')}: a jest stage died before finishing`);
process.exit(died.length || failed > 0 ? 1 : 0);
