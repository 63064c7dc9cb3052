// Fills the compile cache (see compile-cache.js) at install time, so that even the first start
// skips type stripping. Imports every source module without running the CLI. Never fails an
// install: a cold cache only costs memory and start time.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { enableCompileCache, flushCompileCache } from './compile-cache.js';

const src = fileURLToPath(new URL('../src', import.meta.url));
try {
  enableCompileCache();
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'main.ts')
    .sort();
  let failed = 0;
  for (const f of files) {
    try {
      await import(pathToFileURL(join(src, f)).href);
    } catch {
      failed++;
    }
  }
  flushCompileCache();
  // The entry point runs the CLI when imported, so it is cached by running it.
  execFileSync(process.execPath, [fileURLToPath(new URL('llmux.js', import.meta.url)), 'version'], { stdio: 'ignore', timeout: 30_000 });
  if (failed > 0) console.warn(`llmux: compile cache warmed, ${failed} module(s) skipped`);
} catch (error) {
  console.warn(`llmux: compile cache not warmed (${error instanceof Error ? error.message : String(error)})`);
}
