/**
 * Builds the console into web/dist: one minified script, one stylesheet, and index.html naming
 * both with a content hash (so the assets can be cached forever and a new build is never stale).
 * The output is committed: llmux serves it as it is, and installing llmux needs no bundler.
 * `npm run build:web` rebuilds it; a test checks that the committed output matches the sources.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = new URL('.', import.meta.url).pathname;

export interface BuiltFile {
  name: string;
  bytes: number;
  gzipBytes: number;
}

/** Builds into `outDir` (default web/dist) and returns the files with their sizes. */
export async function buildConsole(outDir = join(root, 'dist')): Promise<BuiltFile[]> {
  const result = await build({
    entryPoints: [join(root, 'src/main.tsx'), join(root, 'src/style.css')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome111', 'firefox114', 'safari16.4'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    charset: 'utf8',
    write: false,
    outdir: outDir,
    logLevel: 'silent',
  });
  const script = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const style = result.outputFiles.find((f) => f.path.endsWith('.css'));
  if (script === undefined || style === undefined) throw new Error('esbuild produced no script or no stylesheet');
  const hash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 10);
  const files: Record<string, string> = {
    [`app.${hash(script.text)}.js`]: script.text,
    [`app.${hash(style.text)}.css`]: style.text,
  };
  const [jsName, cssName] = Object.keys(files) as [string, string];
  const template = readFileSync(join(root, 'src/index.html'), 'utf8');
  files['index.html'] = template.replace('%SCRIPT%', `/dashboard/assets/${jsName}`).replace('%STYLE%', `/dashboard/assets/${cssName}`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(outDir, name), text);
  return readdirSync(outDir)
    .sort()
    .map((name) => {
      const data = readFileSync(join(outDir, name));
      return { name, bytes: data.length, gzipBytes: gzipSync(data, { level: 9 }).length };
    });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = await buildConsole();
  let total = 0;
  for (const f of files) {
    total += f.gzipBytes;
    process.stdout.write(`${f.name.padEnd(28)} ${String(f.bytes).padStart(8)} B  ${String(f.gzipBytes).padStart(7)} B gzipped\n`);
  }
  process.stdout.write(`${'total'.padEnd(28)} ${''.padStart(8)}    ${String(total).padStart(7)} B gzipped\n`);
}
