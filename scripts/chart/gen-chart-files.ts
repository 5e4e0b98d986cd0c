import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CHART_DIR, generatedChartFiles, staleChartFiles } from './chart-files';

/**
 * Regenerates the chart files derived from the code (`node dist/scripts/chart/gen-chart-files.js`),
 * or with `--check` lists the stale ones and exits 1 (what CI runs).
 */
function main(argv: string[]): number {
  if (argv.includes('--check')) {
    const stale = staleChartFiles();
    if (stale.length === 0) return 0;
    process.stderr.write(`stale chart files (run \`node dist/scripts/chart/gen-chart-files.js\`): ${stale.join(', ')}\n`);
    return 1;
  }
  for (const f of generatedChartFiles()) {
    const out = join(CHART_DIR, f.path);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, f.content);
    process.stdout.write(`${out}\n`);
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 1;
}
