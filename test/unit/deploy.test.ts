import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config/load.ts';
import { configSchema, type Config } from '../../src/config/schema.ts';
import { startGateway } from '../helpers/gateway.ts';

/** Static checks of the deployment files: no Docker engine or cluster runs here. */
const root = new URL('../..', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(root, path), 'utf8');

type Doc = Record<string, unknown> & { kind?: string; metadata?: { name?: string; labels?: Record<string, string> }; spec?: Record<string, unknown> };
const get = (value: unknown, ...path: Array<string | number>): unknown => path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], value);

/** Loads a config file the way the gateway would, with the variables the deployment provides. */
function loadDeployConfig(text: string, env: Record<string, string>): Config {
  const dir = mkdtempSync(join(tmpdir(), 'llmux-deploy-'));
  writeFileSync(join(dir, 'llmux.yaml'), text);
  const r = loadConfig({ cli: { apiKeys: [] }, env, cwd: dir });
  if (!r.ok) assert.fail(r.errors.join('\n'));
  return r.config;
}

describe('Dockerfile', () => {
  const lines = read('Dockerfile')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages = lines.filter((l) => l.startsWith('FROM '));
  const finalStage = lines.slice(lines.lastIndexOf(stages.at(-1) as string));

  test('is multi-stage and the runtime stage runs as a non-root user', () => {
    assert.ok(stages.length >= 2);
    const user = finalStage.find((l) => l.startsWith('USER '));
    assert.ok(user !== undefined);
    assert.doesNotMatch(user, /USER\s+(root|0)(\s|$)/);
  });

  test('has a HEALTHCHECK on /health, exposes the port it listens on, and starts the real entry point', () => {
    const health = finalStage.findIndex((l) => l.startsWith('HEALTHCHECK'));
    assert.ok(health >= 0);
    assert.match(finalStage.slice(health, health + 2).join(' '), /\/health/);
    const port = /LLMUX_PORT=(\d+)/.exec(finalStage.join(' '))?.[1];
    assert.ok(finalStage.includes(`EXPOSE ${port}`));
    assert.match(finalStage.find((l) => l.startsWith('ENTRYPOINT')) ?? '', /bin\/llmux\.js/);
    assert.ok(existsSync(join(root, 'bin/llmux.js')));
  });

  test('warms the compile cache in the runtime stage, as the user that runs llmux', () => {
    const warm = finalStage.findIndex((l) => l.startsWith('RUN') && l.includes('bin/warm-compile-cache.js'));
    const user = finalStage.findIndex((l) => l.startsWith('USER '));
    const copySrc = finalStage.findIndex((l) => l.startsWith('COPY src'));
    // Node keys the cache by path, content and uid: after the sources are in place, as that user.
    assert.ok(warm > copySrc && warm > user, 'warm where the sources end up, after USER');
    assert.ok(finalStage.slice(0, user).some((l) => l.includes('chown node:node node_modules/.cache')), 'the runtime user can write the cache folder');
  });

  test('keeps the SQLite ledger on a /data volume: the working directory the default usage.path resolves against', () => {
    assert.ok(finalStage.includes('VOLUME /data'));
    const workdirs = finalStage.filter((l) => l.startsWith('WORKDIR '));
    assert.equal(workdirs.at(-1), 'WORKDIR /data');
    const user = finalStage.findIndex((l) => l.startsWith('USER '));
    assert.ok(finalStage.slice(0, user).some((l) => l.includes('chown node:node /data')), 'the runtime user can write the ledger');
    // The entry point no longer depends on the working directory.
    assert.match(finalStage.find((l) => l.startsWith('ENTRYPOINT')) ?? '', /"\/app\/bin\/llmux\.js"/);
    assert.equal(configSchema.parse({}).usage.path, 'llmux-usage.db');
  });

  test('copies only files that exist', () => {
    for (const l of lines.filter((x) => x.startsWith('COPY ') && !x.includes('--from'))) {
      for (const src of l.split(/\s+/).slice(1, -1)) assert.ok(existsSync(join(root, src)), `${src} is missing`);
    }
  });
});

describe('docker-compose.yml', () => {
  const compose = parseYaml(read('docker-compose.yml')) as { services: Record<string, Record<string, unknown>> };

  test('runs the gateway with Redis and PostgreSQL, and the references between services resolve', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), ['llmux', 'postgres', 'redis']);
    const llmux = compose.services['llmux'] ?? {};
    for (const dep of Object.keys((llmux['depends_on'] as object | undefined) ?? {})) assert.ok(dep in compose.services, dep);
    const volume = ((llmux['volumes'] as string[] | undefined) ?? [])[0] ?? '';
    const [source, target] = volume.split(':');
    assert.ok(existsSync(join(root, source ?? '')), `mounted config ${source} exists`);
    assert.equal(get(llmux, 'environment', 'LLMUX_CONFIG'), target);
    const config = loadDeployConfig(readFileSync(join(root, source ?? ''), 'utf8'), {});
    assert.equal(new URL(config.rate_limit?.redis_url ?? '').hostname, 'redis', 'redis_url names the compose service');
    assert.equal(config.rate_limit?.store, 'redis');
    assert.equal(config.server.host, '0.0.0.0');
    // Any replica continues a previous_response_id chain: stored responses in the same Redis.
    assert.equal(config.responses.store, 'redis');
    assert.equal(new URL(config.responses.redis_url ?? '').hostname, 'redis');
    // Scaled replicas share one ledger: PostgreSQL, named by its compose service, with the password compose gives both.
    assert.equal(config.usage.store, 'postgres');
    const pg = new URL(config.usage.postgres_url ?? '');
    assert.equal(pg.hostname, 'postgres');
    const postgres = compose.services['postgres'] ?? {};
    assert.equal(pg.pathname.slice(1), get(postgres, 'environment', 'POSTGRES_DB'));
    assert.equal(pg.username, get(postgres, 'environment', 'POSTGRES_USER'));
    assert.equal(get(llmux, 'environment', 'POSTGRES_PASSWORD'), get(postgres, 'environment', 'POSTGRES_PASSWORD'));
    assert.deepEqual(config.admin.api_keys, [], 'no LLMUX_ADMIN_KEY: no admin API');
    assert.deepEqual(loadDeployConfig(readFileSync(join(root, source ?? ''), 'utf8'), { LLMUX_ADMIN_KEY: 'sk-admin' }).admin.api_keys, ['sk-admin']);
    const published = ((llmux['ports'] as string[] | undefined) ?? [])[0] ?? '';
    assert.equal(published.split(':')[1], String(config.server.port), 'the published container port is the one the config listens on');
  });
});

describe('Kubernetes manifests', () => {
  const kustomization = parseYaml(read('deploy/kubernetes/kustomization.yaml')) as { resources: string[] };
  const docs: Doc[] = kustomization.resources.flatMap((file) => {
    assert.ok(existsSync(join(root, 'deploy/kubernetes', file)), `${file} listed in kustomization exists`);
    return parseAllDocuments(read(`deploy/kubernetes/${file}`)).map((d) => {
      assert.equal(d.errors.length, 0, `${file}: ${d.errors.join(', ')}`);
      return d.toJS() as Doc;
    });
  });
  const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
  const deployment = byKind('Deployment').find((d) => d.metadata?.name === 'llmux') as Doc;
  const container = get(deployment, 'spec', 'template', 'spec', 'containers', 0) as Record<string, unknown>;
  const configMap = byKind('ConfigMap')[0] as Doc;
  const secret = byKind('Secret')[0] as Doc;
  const secretKeys = Object.keys((get(secret, 'stringData') as object | undefined) ?? {});
  const config = loadDeployConfig(String(get(configMap, 'data', 'llmux.yaml')), Object.fromEntries(secretKeys.map((k) => [k, 'x'])));

  test('has every kind the deployment needs, with 2+ replicas and resources', () => {
    for (const kind of ['Deployment', 'Service', 'ConfigMap', 'Secret', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) assert.ok(byKind(kind).length > 0, kind);
    assert.ok(Number(get(deployment, 'spec', 'replicas')) >= 2);
    assert.ok(get(container, 'resources', 'requests', 'memory') !== undefined);
    assert.ok(get(container, 'resources', 'limits', 'memory') !== undefined);
  });

  test('the container port is the port the ConfigMap config listens on, on all interfaces', () => {
    assert.equal(get(container, 'ports', 0, 'containerPort'), config.server.port);
    assert.equal(config.server.host, '0.0.0.0');
    assert.equal(config.rate_limit?.store, 'redis');
    const redisService = byKind('Service').find((s) => s.metadata?.name === new URL(config.rate_limit?.redis_url ?? '').hostname);
    assert.ok(redisService !== undefined, 'redis_url names a Service in the manifests');
    const mount = get(container, 'volumeMounts', 0, 'mountPath');
    const env = (container['env'] as Array<{ name: string; value: string }>).find((e) => e.name === 'LLMUX_CONFIG');
    assert.equal(env?.value, `${String(mount)}/llmux.yaml`);
  });

  test('several replicas keep stored responses in the Redis of the manifests', () => {
    assert.equal(config.responses.store, 'redis');
    const host = new URL(config.responses.redis_url ?? '').hostname;
    assert.ok(byKind('Service').some((s) => s.metadata?.name === host), 'responses.redis_url names a Service in the manifests');
  });

  test('several replicas write the ledger to the PostgreSQL of the manifests', () => {
    assert.equal(config.usage.store, 'postgres');
    const host = new URL(config.usage.postgres_url ?? '').hostname;
    assert.ok(byKind('Service').some((s) => s.metadata?.name === host), 'postgres_url names a Service in the manifests');
    const postgres = byKind('StatefulSet').find((s) => s.metadata?.name === host);
    assert.ok(postgres !== undefined, 'PostgreSQL keeps its data in a StatefulSet');
    assert.ok((get(postgres, 'spec', 'volumeClaimTemplates') as unknown[]).length > 0);
    const env = get(postgres, 'spec', 'template', 'spec', 'containers', 0, 'env') as Array<{ name: string; valueFrom?: unknown }>;
    assert.equal(get(env.find((e) => e.name === 'POSTGRES_PASSWORD'), 'valueFrom', 'secretKeyRef', 'name'), secret.metadata?.name);
    assert.deepEqual(config.admin.api_keys, ['x']);
  });

  test('the secret provides every variable the config interpolates', () => {
    const vars = [...String(get(configMap, 'data', 'llmux.yaml')).matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]);
    for (const v of vars) assert.ok(secretKeys.includes(v as string), `${v} missing from the Secret`);
    assert.equal(get(container, 'envFrom', 0, 'secretRef', 'name'), secret.metadata?.name);
  });

  test('the Service, HPA and PDB point at the Deployment and its pods', () => {
    const labels = get(deployment, 'spec', 'template', 'metadata', 'labels') as Record<string, string>;
    const service = byKind('Service').find((s) => s.metadata?.name === 'llmux') as Doc;
    for (const [k, v] of Object.entries(get(service, 'spec', 'selector') as Record<string, string>)) assert.equal(labels[k], v);
    const portNames = (container['ports'] as Array<{ name: string }>).map((p) => p.name);
    assert.ok(portNames.includes(String(get(service, 'spec', 'ports', 0, 'targetPort'))));
    const hpa = byKind('HorizontalPodAutoscaler')[0];
    assert.equal(get(hpa, 'spec', 'scaleTargetRef', 'name'), deployment.metadata?.name);
    assert.ok(Number(get(hpa, 'spec', 'minReplicas')) >= 2);
    const pdb = byKind('PodDisruptionBudget')[0];
    for (const [k, v] of Object.entries(get(pdb, 'spec', 'selector', 'matchLabels') as Record<string, string>)) assert.equal(labels[k], v);
  });

  test('liveness probes /health and readiness probes /ready, and both routes exist on the gateway', async () => {
    assert.equal(get(container, 'livenessProbe', 'httpGet', 'path'), '/health');
    assert.equal(get(container, 'readinessProbe', 'httpGet', 'path'), '/ready');
    assert.equal(get(container, 'livenessProbe', 'httpGet', 'port'), 'http');
    assert.ok(Number(get(deployment, 'spec', 'template', 'spec', 'terminationGracePeriodSeconds')) * 1000 > config.server.drain_timeout, 'pods get longer than the drain');
    const gw = await startGateway({ providers: [] });
    try {
      assert.equal((await fetch(`${gw.url}/health`)).status, 200);
      assert.notEqual((await fetch(`${gw.url}/ready`)).status, 404);
    } finally {
      await gw.close();
    }
  });
});
