import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configSchema } from '../../src/config/schema.ts';
import { GatewayError } from '../../src/core/errors.ts';
import { buildCatalog, type RoutableProvider } from '../../src/router/catalog.ts';
import { compileGlob } from '../../src/router/glob.ts';

function provider(name: string, weight: number, models: string[]): RoutableProvider {
  const globs = models.map(compileGlob);
  return {
    name,
    weight,
    models: () => globs.filter((g) => !g.isPattern).map((g) => g.source),
    patterns: () => globs.filter((g) => g.isPattern),
  };
}

const routing = (raw: Record<string, unknown>) =>
  configSchema.parse({
    providers: [
      { name: 'p1', base_url: 'http://x/v1' },
      { name: 'p2', base_url: 'http://y/v1' },
      { name: 'local', base_url: 'http://z/v1' },
    ],
    routing: raw,
  }).routing;

const providers = [provider('p1', 10, ['gpt-4o', 'gpt-4-turbo-preview']), provider('p2', 5, ['gpt-4o', 'claude-v3-opus']), provider('local', 1, ['llama*'])];

function notFound(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof GatewayError);
    return error;
  }
  assert.fail('expected a 404');
}

describe('buildCatalog (merge mode)', () => {
  const catalog = buildCatalog(routing({ mode: 'merge', aliases: { 'gpt-4-turbo': ['p1/gpt-4-turbo-preview', { target: 'p2/claude-v3-opus', weight: 3 }] } }), providers);

  test('pools the same model name across providers with their weights', () => {
    assert.deepEqual(catalog.resolve('gpt-4o').targets, [
      { provider: 'p1', upstreamModel: 'gpt-4o', weight: 10 },
      { provider: 'p2', upstreamModel: 'gpt-4o', weight: 5 },
    ]);
  });

  test('an alias routes to its targets, defaulting each weight to the provider weight', () => {
    assert.deepEqual(catalog.resolve('gpt-4-turbo').targets, [
      { provider: 'p1', upstreamModel: 'gpt-4-turbo-preview', weight: 10 },
      { provider: 'p2', upstreamModel: 'claude-v3-opus', weight: 3 },
    ]);
  });

  test('explicit provider/model always works', () => {
    assert.deepEqual(catalog.resolve('p2/anything-new').targets, [{ provider: 'p2', upstreamModel: 'anything-new', weight: 5 }]);
  });

  test('a glob in a provider model list routes matching names to it', () => {
    assert.deepEqual(catalog.resolve('llama3.1:8b').targets, [{ provider: 'local', upstreamModel: 'llama3.1:8b', weight: 1 }]);
  });

  test('X-Model-Provider narrows the pool', () => {
    assert.deepEqual(catalog.resolve('gpt-4o', 'p2').targets.map((t) => t.provider), ['p2']);
    assert.equal(notFound(() => catalog.resolve('claude-v3-opus', 'p1')).status, 404);
  });

  test('an unknown model is a 404 that lists close matches', () => {
    const err = notFound(() => catalog.resolve('gpt-4oo'));
    assert.equal(err.status, 404);
    assert.match(err.message, /gpt-4o/);
  });

  test('lists merged names, owned by the provider or by llmux when shared, plus aliases', () => {
    assert.deepEqual(catalog.publicModels(), [
      { id: 'claude-v3-opus', ownedBy: 'p2' },
      { id: 'gpt-4-turbo', ownedBy: 'llmux' },
      { id: 'gpt-4-turbo-preview', ownedBy: 'p1' },
      { id: 'gpt-4o', ownedBy: 'llmux' },
    ]);
  });
});

describe('buildCatalog (prefix mode)', () => {
  const catalog = buildCatalog(routing({ mode: 'prefix' }), providers);

  test('exposes every model as provider/model', () => {
    assert.deepEqual(
      catalog.publicModels().map((m) => m.id),
      ['p1/gpt-4-turbo-preview', 'p1/gpt-4o', 'p2/claude-v3-opus', 'p2/gpt-4o'],
    );
    assert.deepEqual(catalog.resolve('p2/gpt-4o').targets, [{ provider: 'p2', upstreamModel: 'gpt-4o', weight: 5 }]);
  });

  test('a bare name is not routed, and the error suggests the prefixed names', () => {
    const err = notFound(() => catalog.resolve('gpt-4o'));
    assert.match(err.message, /p1\/gpt-4o/);
  });

  test('a bare name with X-Model-Provider reaches that provider', () => {
    assert.deepEqual(catalog.resolve('gpt-4o', 'p1').targets, [{ provider: 'p1', upstreamModel: 'gpt-4o', weight: 10 }]);
  });
});
