import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A process the bench started; only these are ever stopped, by their own pid. */
export interface Proc {
  name: string;
  pid: number;
  child: ChildProcess;
  /** The last 8 kB of stderr (and stdout when it is not discarded), for error messages. */
  output: () => string;
  exited: Promise<number | null>;
  /** False once the exit was seen (its pid may then belong to someone else). */
  alive: () => boolean;
  stop: () => Promise<void>;
}

export interface StartOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** true: stdout goes to /dev/null (the access log of a system under load). */
  discardStdout?: boolean;
}

export function startProcess(name: string, command: string, args: string[], options: StartOptions = {}): Proc {
  const stdout = options.discardStdout === true ? openSync('/dev/null', 'w') : 'pipe';
  const stdio: StdioOptions = ['ignore', stdout, 'pipe'];
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio });
  let text = '';
  const keep = (chunk: Buffer): void => {
    text = (text + chunk.toString('utf8')).slice(-8192);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', (error) => {
      text += `\n${error.message}`;
      resolve(-1);
    });
  });
  let done = false;
  void exited.then(() => (done = true));
  const stop = async (): Promise<void> => {
    if (done) return;
    child.kill('SIGTERM');
    const finished = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
    if (!finished) {
      child.kill('SIGKILL');
      await Promise.race([exited, sleep(2000)]);
    }
  };
  return { name, pid: child.pid ?? -1, child, output: () => text, exited, alive: () => !done, stop };
}

/** A port nothing listens on right now (the kernel's choice). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls until `check` resolves true; throws with the process output after `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, proc?: Proc): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void proc?.exited.then((c) => (exitCode = c));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`${what}: the process exited (code ${String(exitCode)}):\n${proc?.output() ?? ''}`);
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${what}: not ready after ${timeoutMs} ms${proc === undefined ? '' : `:\n${proc.output()}`}`);
}

/** The pid and every descendant (cluster workers, nginx workers). */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const p = out[i] as number;
    try {
      for (const task of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/)) {
        if (task !== '') out.push(Number(task));
      }
    } catch {
      // gone
    }
  }
  return out;
}

const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) used so far by the tree. */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / TICKS_PER_SECOND;
}

/** Busy CPU of the whole machine over `ms`, in % of one core. */
export async function machineBusyPct(ms: number): Promise<number> {
  const a = machineBusySeconds().busy;
  await sleep(ms);
  return Math.round((100 * (machineBusySeconds().busy - a)) / (ms / 1000));
}

/**
 * CPU seconds the whole machine spent busy so far (all cores, /proc/stat), and of those the time
 * the hypervisor gave to other guests (steal): both are CPU the systems under test did not get.
 */
export function machineBusySeconds(): { busy: number; steal: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: (total - idle) / TICKS_PER_SECOND, steal: (fields[7] ?? 0) / TICKS_PER_SECOND };
}

/** Kills a tree at once, synchronously: for the exit path, when nothing can be awaited. */
export function killTreeNow(pid: number): void {
  for (const p of processTree(pid).reverse()) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Resident memory of the tree, MB (VmRSS). */
export function rssMb(pid: number): number {
  let kb = 0;
  for (const p of processTree(pid)) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m?.[1] !== undefined) kb += Number(m[1]);
    } catch {
      // gone
    }
  }
  return kb / 1024;
}

export interface RssSamples {
  stop: () => { max: number; median: number; samples: number };
}

/** Samples the tree's RSS every `everyMs` until stopped. */
export function sampleRss(pid: number, everyMs = 200): RssSamples {
  const values: number[] = [rssMb(pid)];
  const timer = setInterval(() => values.push(rssMb(pid)), everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      values.push(rssMb(pid));
      const sorted = [...values].sort((a, b) => a - b);
      return { max: sorted.at(-1) ?? 0, median: sorted[Math.floor(sorted.length / 2)] ?? 0, samples: values.length };
    },
  };
}

/** Runs a command to completion within `timeoutMs`, collecting its output. */
export async function run(command: string, args: string[], timeoutMs: number, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return await new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: `${stderr}${error.message}`, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}
