// How a CLI reaches the system: the running local stack (`npm start`, found via .local/stack.json),
// or, when none runs, an embedded one started for the CLI and stopped after it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT, startLocalStack, type LocalStackInfo } from '../stack.js';

export interface Connection {
  readonly info: LocalStackInfo;
  readonly embedded: boolean;
  close(): Promise<void>;
}

async function runningStack(): Promise<LocalStackInfo | undefined> {
  try {
    const info = JSON.parse(
      await readFile(path.join(ROOT, '.local', 'stack.json'), 'utf8'),
    ) as LocalStackInfo;
    const res = await fetch(info.endpoints.dynamodb, { signal: AbortSignal.timeout(1_000) });
    return res.status > 0 ? info : undefined;
  } catch {
    return undefined; // no file, or the stack it describes is gone
  }
}

/** RPC_URLS, when set, points the CLI at that chain instead of the local one. */
export async function connect(opts: { log: (line: string) => void }): Promise<Connection> {
  // Read before a running stack's environment is applied over it.
  const rpcUrls = (process.env.RPC_URLS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  const running = await runningStack();
  if (running) {
    Object.assign(process.env, running.env);
    if (rpcUrls.length) process.env.RPC_URLS = rpcUrls.join(',');
    opts.log(`using the running local stack (${running.endpoints.dynamodb})`);
    return { info: running, embedded: false, close: async () => undefined };
  }
  opts.log('no local stack is running: starting an embedded one for this command');
  const stack = await startLocalStack({
    functions: {},
    ...(rpcUrls.length ? { rpcUrls } : {}),
    env: { POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' },
    log: opts.log,
  });
  return { info: stack.info, embedded: true, close: () => stack.stop() };
}
