import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadText } from './machine-load.js';

/**
 * `npm run bench`: runs every compiled benchmark `dist/bench/<name>/main.js`
 * one after the other (never in parallel: they measure speed), printing the
 * machine load before each, and exits non-zero if any failed.
 * `npm run bench -- crawl train` runs only those.
 */
const benchDir = dirname(fileURLToPath(import.meta.url));
const sourceDir = join(benchDir, '..', '..', 'bench');
const wanted = process.argv.slice(2);
const names = readdirSync(benchDir, { withFileTypes: true })
  // A compiled benchmark whose source is gone is stale output, not a benchmark.
  .filter(
    (entry) =>
      entry.isDirectory() && existsSync(join(benchDir, entry.name, 'main.js')) && existsSync(join(sourceDir, entry.name, 'main.ts')),
  )
  .map((entry) => entry.name)
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();

const unknown = wanted.filter((name) => !names.includes(name));
if (unknown.length > 0) {
  console.error(`bench: no benchmark named ${unknown.join(', ')} (there is no dist/bench/<name>/main.js; run \`npm run build\`).`);
  process.exit(2);
}
if (names.length === 0) console.log('bench: no benchmarks built yet (dist/bench/<name>/main.js).');

const results: Array<{ name: string; status: number | null; secs: number }> = [];
for (const name of names) {
  console.log(`\n=== bench ${name} · ${new Date().toISOString()} · load ${loadText()} (1/5/15 min)`);
  const started = Date.now();
  const run = spawnSync(process.execPath, [join(benchDir, name, 'main.js')], { stdio: 'inherit' });
  results.push({ name, status: run.status, secs: (Date.now() - started) / 1000 });
}

if (results.length > 0) {
  console.log('\n=== summary');
  for (const r of results) console.log(`${r.status === 0 ? 'ok    ' : 'FAILED'} ${r.name} (${r.secs.toFixed(1)} s)`);
}
process.exitCode = results.some((r) => r.status !== 0) ? 1 : 0;
