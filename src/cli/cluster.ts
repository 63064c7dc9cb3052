import cluster, { type Worker } from 'node:cluster';
import { loadConfig } from '../config/load.ts';
import { MemoryStore } from '../limits/memory-store.ts';
import { serveLimitsToWorker } from '../limits/primary-store.ts';
import { createLogger } from '../observability/logger.ts';
import type { CliArgs } from './parse-args.ts';

/**
 * `--workers N`: the primary forks N gateway workers that share the listening port, keeps the
 * memory rate limits for all of them, replaces a worker that crashes, and on SIGTERM lets every
 * worker drain before it exits.
 */
export async function runPrimary(args: CliArgs, env: NodeJS.ProcessEnv, cwd: string, workers: number): Promise<number | undefined> {
  const loaded = loadConfig({ cli: args, env, cwd });
  if (!loaded.ok) {
    process.stderr.write(`llmux: invalid config (${loaded.source}):\n${loaded.errors.map((e) => `  ${e}`).join('\n')}\n`);
    return 1;
  }
  const logger = createLogger({ level: loaded.config.logging.level, format: loaded.config.logging.format });
  const limits = new MemoryStore();
  let stopping = false;
  let live = 0;
  const recentCrashes: number[] = [];
  const fork = (): Worker => {
    live++;
    const worker = cluster.fork();
    serveLimitsToWorker(worker, limits);
    return worker;
  };
  for (let i = 0; i < workers; i++) fork();
  logger.info({ workers }, `llmux primary ${process.pid} started ${workers} workers`);
  if (loaded.config.responses.store === 'memory') {
    logger.info('responses.store is memory: each worker keeps its own stored responses, so previous_response_id may not find one another worker stored; set responses.store: redis');
  }

  cluster.on('exit', (worker, code, signal) => {
    live--;
    if (!stopping) {
      const now = Date.now();
      recentCrashes.push(now);
      while ((recentCrashes[0] ?? now) < now - 10_000) recentCrashes.shift();
      // A worker that cannot even start (port taken, bad file) would be forked forever.
      if (recentCrashes.length > workers * 3) {
        logger.fatal('workers keep crashing: giving up');
        process.exit(1);
      }
      logger.warn({ worker: worker.process.pid, code, signal }, 'worker exited unexpectedly: starting a new one');
      fork();
      return;
    }
    // Counted here: cluster.workers may still list a worker whose 'exit' has fired.
    if (live === 0) {
      logger.info('all workers drained, bye');
      logger.flush();
      process.exit(0);
    }
  });

  const all = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn(`${signal} again: stopping workers now`);
      for (const w of all()) w.process.kill('SIGKILL');
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal}: draining ${all().length} workers`);
    for (const w of all()) w.process.kill('SIGTERM');
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => {
    for (const w of all()) w.process.kill('SIGHUP');
  });
  return undefined;
}
