#!/usr/bin/env node
// The package's `llmux` command. Node >= 22.18 runs the TypeScript sources directly.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`llmux needs Node.js 22.18 or newer (found ${process.versions.node}).`);
  process.exit(1);
}
const { enableCompileCache, flushCompileCache } = await import('./compile-cache.js');
enableCompileCache();
await import('../src/main.ts');
// A server never exits cleanly on its own schedule: write what this start compiled now.
flushCompileCache();
