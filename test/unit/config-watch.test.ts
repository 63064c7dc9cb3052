import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ownWrites } from '../../src/cli/config-watch.ts';
import { loadConfig } from '../../src/config/load.ts';

const usage = (over: Record<string, unknown>): ReturnType<typeof usageOf> => ({ ...usageOf(), ...over });
function usageOf() {
  const loaded = loadConfig({ cli: { apiKeys: [] }, env: {}, cwd: '/srv/llmux', fileText: { path: '/srv/llmux/llmux.json', text: '{}' } });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.config.usage;
}

describe('ownWrites: the config watcher skips the ledger files beside the config, and nothing else', () => {
  // [config path, usage settings, event file name, skipped]
  const cases: Array<[string, Record<string, unknown>, string | null, boolean]> = [
    ['/srv/llmux/llmux.json', {}, 'llmux-usage.db', true],
    ['/srv/llmux/llmux.json', {}, 'llmux-usage.db-wal', true],
    ['/srv/llmux/llmux.json', {}, 'llmux-usage.db-shm', true],
    ['/srv/llmux/llmux.json', {}, 'llmux-usage.db-journal', true],
    // The config itself, an editor's temp file, the kubelet's symlink swap, an unnamed event: read.
    ['/srv/llmux/llmux.json', {}, 'llmux.json', false],
    ['/srv/llmux/llmux.json', {}, '.llmux.json.swp', false],
    ['/srv/llmux/llmux.json', {}, '..data', false],
    ['/srv/llmux/llmux.json', {}, null, false],
    ['/srv/llmux/llmux.json', {}, 'llmux-usage.db.bak', false],
    // The ledger elsewhere, in memory, or not SQLite: nothing of ours is in the folder.
    ['/etc/llmux/llmux.json', {}, 'llmux-usage.db', false],
    ['/srv/llmux/llmux.json', { path: ':memory:' }, 'llmux-usage.db', false],
    ['/srv/llmux/llmux.json', { store: 'off' }, 'llmux-usage.db', false],
    ['/srv/llmux/llmux.json', { store: 'postgres' }, 'llmux-usage.db', false],
    ['/srv/llmux/llmux.json', { path: '/srv/llmux/usage.sqlite' }, 'usage.sqlite-wal', true],
    // A config file named like the ledger is still the config.
    ['/srv/llmux/llmux-usage.db-wal', {}, 'llmux-usage.db-wal', false],
  ];
  for (const [configPath, over, filename, skipped] of cases) {
    test(`${configPath} ${JSON.stringify(over)} ${String(filename)}: ${skipped ? 'skipped' : 'read'}`, () => {
      assert.equal(ownWrites(configPath, usage(over))(filename), skipped);
    });
  }

  test('the default ledger path is resolved against the folder llmux runs in', () => {
    assert.equal(usageOf().path, '/srv/llmux/llmux-usage.db');
  });
});
