import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { configSchema } from '../../src/config/schema.ts';
import { Gateway } from '../../src/gateway/gateway.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { buildApp } from '../../src/server/app.ts';

export interface TestGateway {
  url: string;
  gateway: Gateway;
  /** Every log line the gateway wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  /** The raw log text, to check that no secret ever appears in it. */
  logText: () => string;
  close(): Promise<void>;
}

/** Starts the gateway in this process on a free loopback port, with the given raw config. */
export async function startGateway(raw: Record<string, unknown>): Promise<TestGateway> {
  // The ledger is on, as by default, in a file of its own rather than the working directory.
  const usage = { path: join(mkdtempSync(join(tmpdir(), 'llmux-usage-')), 'usage.db'), ...((raw['usage'] as object | undefined) ?? {}) };
  const config = configSchema.parse({ ...raw, usage, server: { host: '127.0.0.1', port: 0, ...((raw['server'] as object | undefined) ?? {}) } });
  const logs: Array<Record<string, unknown>> = [];
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      const s = chunk.toString('utf8');
      text += s;
      for (const line of s.split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ level: 'info', format: 'json', destination: sink });
  const gateway = await Gateway.start(config, logger);
  const app = buildApp({ gateway });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    gateway,
    logs,
    logText: () => text,
    close: async () => {
      await app.close();
      await gateway.close();
    },
  };
}

export interface GatewayProcess {
  url: string;
  /** The folder holding the process's llmux.json; rewrite the file to test a reload. */
  configDir: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs `node src/main.ts` as a real process with a config file; for signals and the CLI. */
export async function spawnGateway(config: Record<string, unknown>, extraArgs: string[] = []): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'llmux-proc-'));
  const file = join(dir, 'llmux.json');
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, ['src/main.ts', '--config', file, '--port', '0', ...extraArgs], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { ...process.env, INIT_CWD: dir, LLMUX_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    // Generous: a loaded CI machine compiles the sources of a primary and its workers at once.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway did not start:\n${output}`));
    }, 30_000);
    const check = (): void => {
      const m = /listening on (http:\/\/[\d.:]+)/.exec(output);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', check);
    void exited.then(() => reject(new Error(`gateway exited:\n${output}`)));
  });
  return { url, configDir: dir, child, output: () => output, exited };
}
