import cluster from 'node:cluster';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { isLoopback } from '../server/address.ts';
import { buildApp } from '../server/app.ts';
import { loadConfig, type LoadOptions } from '../config/load.ts';
import { configDigestSync, readSettledConfig } from '../config/read-file.ts';
import { ownWrites } from './config-watch.ts';
import { Gateway } from '../gateway/gateway.ts';
import { createLogger } from '../observability/logger.ts';
import type { CliArgs } from './parse-args.ts';

/**
 * Loads the config, starts the gateway and serves in the foreground. SIGTERM/SIGINT drain
 * (a second one exits at once); SIGHUP and a changed config file reload.
 * Returns an exit code when it could not start, else undefined and the process lives on.
 */
export async function runServe(args: CliArgs, env: NodeJS.ProcessEnv, cwd: string, onListening?: (url: string) => void): Promise<number | undefined> {
  const options: LoadOptions = { cli: args, env, cwd };
  const loaded = loadConfig(options);
  if (!loaded.ok) {
    process.stderr.write(`llmux: invalid config (${loaded.source}):\n${loaded.errors.map((e) => `  ${e}`).join('\n')}\n`);
    return 1;
  }
  const config = loaded.config;
  // What the running config was read from, taken before anything else can change the file.
  const path = loaded.source.startsWith('/') ? loaded.source : undefined;
  let appliedDigest = path === undefined ? undefined : configDigestSync(path);
  const logger = createLogger({ level: config.logging.level, format: config.logging.format });
  for (const w of loaded.warnings) logger.warn(w);
  const gateway = await Gateway.start(config, logger);
  const app = buildApp({ gateway });
  try {
    await app.listen({ host: config.server.host, port: config.server.port });
  } catch (error) {
    logger.fatal({ err: error }, `cannot listen on ${config.server.host}:${config.server.port}`);
    await gateway.close();
    return 1;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.server.port;
  if (config.providers.length === 0) {
    logger.warn('no providers configured: set OPENAI_API_KEY (or ANTHROPIC_API_KEY, GEMINI_API_KEY, DASHSCOPE_API_KEY, DEEPSEEK_API_KEY), or write an llmux.yaml with a providers list');
  }
  if (config.auth.forward_auth && config.auth.api_keys.length > 0) {
    logger.warn('auth.forward_auth has no effect while auth.api_keys is set: the credential a client presents is its llmux key, which is never sent to a provider');
  }
  if (config.auth.api_keys.length === 0 && !isLoopback(config.server.host)) {
    logger.warn(`SECURITY: listening on ${config.server.host} without auth.api_keys: anyone who can reach this port can spend your provider credits`);
  }

  let reloading = false;
  let pending = false;
  const reload = async (why: string, onlyIfChanged: boolean): Promise<void> => {
    if (reloading) {
      // A change during a reload is looked at once it is done.
      pending = true;
      return;
    }
    reloading = true;
    try {
      let fileText: LoadOptions['fileText'];
      if (path !== undefined) {
        const read = await readSettledConfig(path);
        if (!read.ok) {
          logger.error({ config: path, error: read.error }, `config reload rejected (${why}); the previous config keeps serving`);
          return;
        }
        if (onlyIfChanged && read.digest === appliedDigest) return;
        if (read.text.trim() === '') {
          logger.error({ config: path }, `config reload rejected (${why}): the file is empty; the previous config keeps serving`);
          return;
        }
        fileText = { path, text: read.text };
        appliedDigest = read.digest;
      }
      const next = loadConfig({ ...options, fileText });
      if (!next.ok) {
        logger.error({ errors: next.errors, config: next.source }, `config reload rejected (${why}); the previous config keeps serving`);
        return;
      }
      // A file caught half-written, or an edit that dropped the section by mistake, must not open
      // the gateway to anyone: turning auth off takes a restart.
      if (gateway.state.config.auth.api_keys.length > 0 && next.config.auth.api_keys.length === 0) {
        logger.error(
          { config: next.source },
          `SECURITY: config reload rejected (${why}): it has no auth.api_keys while the running config has ${gateway.state.config.auth.api_keys.length}; turning authentication off needs a restart. The previous config keeps serving`,
        );
        return;
      }
      await gateway.reload(next.config);
      logger.info({ config: next.source, providers: next.config.providers.map((p) => p.name) }, `config reloaded (${why})`);
    } finally {
      reloading = false;
      if (pending) {
        pending = false;
        void reload('file changed', true);
      }
    }
  };
  process.on('SIGHUP', () => void reload('SIGHUP', false));
  // Input never takes the process down; a bug that escapes a handler is logged, and serving goes on.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  process.on('uncaughtException', (error) => logger.error({ err: error }, 'uncaught exception'));
  let watcher: FSWatcher | undefined;
  if (path !== undefined) {
    let timer: NodeJS.Timeout | undefined;
    try {
      // The folder, not the file, and any name in it: a file replaced by a rename (editors, a
      // refreshed OAuth token written back) is a new inode a watch on the file would lose, and a
      // Kubernetes ConfigMap volume swaps a "..data" symlink, so the event never names the file.
      // The content decides whether anything changed.
      const ours = ownWrites(path, config.usage);
      watcher = watch(dirname(path), (_event, filename) => {
        if (ours(filename)) return;
        // A timer already pending covers this event too (resetting it on each event would let a
        // busy folder, a log written beside the config, postpone a reload forever); the settled
        // read waits out an editor's several writes.
        if (timer !== undefined) return;
        timer = setTimeout(() => {
          timer = undefined;
          void reload('file changed', true);
        }, 300);
      });
      watcher.unref();
    } catch {
      logger.debug('config file watching unavailable; SIGHUP still reloads');
    }
  }

  // Last: whoever waits for this line (a test, a supervisor) finds the reload watch in place.
  logger.info({ host: config.server.host, port, providers: config.providers.map((p) => p.name), config: loaded.source }, `llmux listening on http://${config.server.host}:${port}`);
  onListening?.(`http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`);

  // Every response not yet finished, so a drain can tell those still to send their headers to
  // close their connection afterwards.
  const open = new Set<ServerResponse>();
  app.server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    open.add(res);
    res.on('close', () => open.delete(res));
  });

  let draining = false;
  const shutdown = (signal: string): void => {
    if (draining) {
      logger.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    draining = true;
    watcher?.close();
    const limit = gateway.state.config.server.drain_timeout;
    logger.info(`${signal}: draining in-flight requests (up to ${limit} ms)`);
    const force = setTimeout(() => {
      logger.warn('drain timeout reached: exiting with requests still open');
      process.exit(1);
    }, limit);
    force.unref();
    // The drain ends when the last in-flight answer has: a client's pooled keep-alive connection
    // must not hold it until its idle timeout. Answers not yet started say `Connection: close`;
    // connections idle now, or idle once their answer is done, are closed.
    for (const res of open) if (!res.headersSent) res.setHeader('connection', 'close');
    app.server.on('request', (_req: IncomingMessage, res: ServerResponse) => res.setHeader('connection', 'close'));
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
    sweep.unref();
    void app
      .close()
      .then(() => gateway.close())
      .then(() => {
        logger.info('drained, bye');
        logger.flush();
        process.exit(0);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // A worker's Ctrl-C arrives through the primary as SIGTERM; its own copy from the terminal must
  // not count as a second signal that cuts the drain short.
  if (cluster.isWorker) {
    process.on('SIGINT', () => undefined);
    // A primary that died without draining us (SIGKILL, OOM) leaves no one to route to this worker
    // or to stop it: drain and go rather than linger as an orphan holding the port's connections.
    process.on('disconnect', () => {
      if (!draining) shutdown('SIGTERM');
    });
  } else process.on('SIGINT', () => shutdown('SIGINT'));
  return undefined;
}
