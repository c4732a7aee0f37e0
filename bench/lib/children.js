'use strict';
/**
 * Child processes of the benchmark: forked with an IPC channel, asked questions by message, and
 * all killed when the run ends, however it ends (error, Ctrl+C, watchdog).
 */
const { fork } = require('node:child_process');

const live = new Set();

/** The environment without LUMINATE_* (the bridge falls back to them) and DEBUG (costly output). */
function cleanEnv() {
  const env = { ...process.env, NODE_ENV: 'production' };
  for (const key of Object.keys(env)) {
    if (key.startsWith('LUMINATE_') || key === 'DEBUG') delete env[key];
  }
  return env;
}

/** Forks `script` with `env` added to cleanEnv(); the child's stdout/stderr go to ours. */
function start(script, { execArgv = [], args = [], env = {} } = {}) {
  const child = fork(script, args, { execArgv, env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  live.add(child);
  let nextId = 1;
  const waiting = new Map();
  child.on('message', (msg) => {
    const pending = waiting.get(msg && msg.id);
    if (!pending) return;
    waiting.delete(msg.id);
    if (msg.error) pending.reject(new Error(`${script}: ${msg.error}`));
    else pending.resolve(msg);
  });
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      for (const pending of waiting.values()) pending.reject(new Error(`${script} exited (${signal || code}) before answering`));
      waiting.clear();
      resolve({ code, signal });
    });
  });
  return {
    pid: child.pid,
    exited,
    /** Sends `{ type, ...body }` and resolves with the child's answer (same id), within `timeoutMs`. */
    ask(type, body = {}, timeoutMs = 30_000) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`${script}: no answer to "${type}" within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, {
          resolve: (m) => { clearTimeout(timer); resolve(m); },
          reject: (e) => { clearTimeout(timer); reject(e); },
        });
        child.send({ id, type, ...body });
      });
    },
    /** Asks the child to exit by itself (so --cpu-prof can write its file), then kills it if it lingers. */
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try { child.send({ id: 0, type: 'exit' }); } catch { /* channel already closed */ }
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}

function killAll() {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
  live.clear();
}

/** Kills every child on exit, Ctrl+C, SIGTERM, or after `limitMs` (the run's hard bound). */
function guardProcesses(limitMs) {
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the benchmark`);
      killAll();
      process.exit(130);
    });
  }
  const watchdog = setTimeout(() => {
    console.error(`benchmark: still running after ${Math.round(limitMs / 1000)} s; killing everything`);
    killAll();
    process.exit(1);
  }, limitMs);
  watchdog.unref();
}

/**
 * For the children: answer the parent's questions with `handlers[type](msg)` and exit when the
 * parent goes away (even if it was killed), so nothing is left behind.
 */
function serveParent(handlers) {
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (msg) => {
    if (msg.type === 'exit') {
      try { await handlers.exit?.(); } finally { process.exit(0); }
      return;
    }
    try {
      const handler = handlers[msg.type];
      if (!handler) throw new Error(`unknown message type ${msg.type}`);
      const answer = await handler(msg);
      process.send({ id: msg.id, ...answer });
    } catch (err) {
      process.send({ id: msg.id, error: err && err.stack ? err.stack : String(err) });
    }
  });
}

/** What the parent learns about a child's resources. */
function processStats() {
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    // Buffers and other memory held for JavaScript objects outside the heap (TLS, HTTP, bodies).
    external: mem.external,
    arrayBuffers: mem.arrayBuffers,
    maxRss: process.resourceUsage().maxRSS * 1024, // kilobytes on every platform
    cpuMicros: cpu.user + cpu.system,
  };
}

module.exports = { start, killAll, guardProcesses, serveParent, processStats };
