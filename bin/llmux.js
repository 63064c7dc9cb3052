#!/usr/bin/env node
// The package's `llmux` command. Node >= 22.18 runs the TypeScript sources directly.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`llmux needs Node.js 22.18 or newer (found ${process.versions.node}).`);
  process.exit(1);
}
await import('../src/main.ts');
