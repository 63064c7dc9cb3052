import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The folders of src/, lowest first. A folder may import (types included) only from folders before
 * it: concepts every layer needs (protocol identity, JSON guards, the upstream call) live low, and
 * nothing low reaches up into the server or the CLI. A new folder must be placed here.
 */
const LAYERS = ['core', 'config', 'upstream', 'protocols', 'providers', 'router', 'auth', 'limits', 'responses-store', 'observability', 'ledger', 'gateway', 'pipeline', 'server', 'cli', '.'];

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const layerOf = (file: string): string => {
  const rel = relative(SRC, file).split('/');
  return rel.length === 1 ? '.' : (rel[0] ?? '.');
};

test('imports in src/ point down the layers, never up or sideways into a later folder', () => {
  const wrong: string[] = [];
  for (const file of sources(SRC)) {
    const from = layerOf(file);
    const rank = LAYERS.indexOf(from);
    assert.notEqual(rank, -1, `src/${relative(SRC, file)}: the folder "${from}" is not placed in LAYERS`);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g)) {
      const spec = m[1] ?? m[2] ?? '';
      const to = layerOf(resolve(dirname(file), spec));
      if (to === from) continue;
      if (LAYERS.indexOf(to) > rank) wrong.push(`src/${relative(SRC, file)} (${from}) imports ${spec} (${to})`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('the check itself sees an upward import', () => {
  const line = "import type { CliArgs } from '../cli/parse-args.ts';";
  const m = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/.exec(line);
  assert.equal(m?.[1], '../cli/parse-args.ts');
  assert.ok(LAYERS.indexOf('cli') > LAYERS.indexOf('config'));
});
