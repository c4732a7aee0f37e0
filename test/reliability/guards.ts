import vm from 'node:vm';

/**
 * The worker's real `process`. Jest gives each test file a copy whose events never fire, so a
 * listener for 'unhandledRejection' has to be put on the real one (the outer context's global).
 */
const realProcess = vm.runInThisContext('process') as NodeJS.Process;

export interface RejectionRecorder {
  /** Reasons of unhandled rejections (and uncaught exceptions) seen while installed. */
  readonly seen: unknown[];
  stop(): void;
}

/** Records every unhandled rejection and uncaught exception until `stop()`. */
export function recordUnhandledRejections(): RejectionRecorder {
  const seen: unknown[] = [];
  const record = (reason: unknown): void => {
    seen.push(reason);
  };
  realProcess.on('unhandledRejection', record);
  realProcess.on('uncaughtException', record);
  return {
    seen,
    stop() {
      realProcess.off('unhandledRejection', record);
      realProcess.off('uncaughtException', record);
    },
  };
}

/** Resources that keep the event loop alive and that a leak would leave: sockets, servers, timers. */
const WATCHED = new Set(['TCPSocketWrap', 'TCPServerWrap', 'TLSWrap', 'Timeout', 'Immediate']);

export type ResourceCounts = Record<string, number>;

/** How many of each watched resource keep the event loop alive now (unref'd timers do not count). */
export function activeResources(): ResourceCounts {
  const counts: ResourceCounts = {};
  for (const name of realProcess.getActiveResourcesInfo()) {
    if (WATCHED.has(name)) counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

function excess(now: ResourceCounts, baseline: ResourceCounts): ResourceCounts {
  const over: ResourceCounts = {};
  for (const [name, n] of Object.entries(now)) {
    const extra = n - (baseline[name] ?? 0);
    if (extra > 0) over[name] = extra;
  }
  return over;
}

/**
 * What is still open beyond `baseline`, after waiting (bounded) for closes to complete: `{}` when
 * nothing was left behind. Sockets close a tick or two after `close()` resolves, hence the wait.
 */
export async function leftoverResources(baseline: ResourceCounts, timeoutMs = 3000): Promise<ResourceCounts> {
  const until = Date.now() + timeoutMs;
  let over = excess(activeResources(), baseline);
  while (Object.keys(over).length > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    over = excess(activeResources(), baseline);
  }
  return over;
}
