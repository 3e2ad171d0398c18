// Child processes and ports for the local stack: start, wait until ready, stop without orphans,
// and turn the usual failures (no Java, a busy port, a crash at start) into one clear message.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export class LocalStackError extends Error {
  override readonly name = 'LocalStackError';
}

/** A free loopback port, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Fails with a message that names the port, what wanted it, and how to move it. */
export function assertPortFree(port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new LocalStackError(
          err.code === 'EADDRINUSE'
            ? `Port ${port} (${what}) is already in use. Stop what holds it (\`lsof -i :${port}\`, or an ` +
                `earlier \`npm start\`), or pick other ports with ALFA_PORT_BASE=<port> npm start.`
            : `Cannot listen on 127.0.0.1:${port} for ${what}: ${err.message}`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

export function assertJava(): void {
  const out = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (out.error || out.status !== 0) {
    throw new LocalStackError(
      'DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH. ' +
        'Install it (Debian/Ubuntu: `apt-get install -y openjdk-17-jre-headless`; macOS: `brew install openjdk@17`) and run again.',
    );
  }
  const version = /version "(\d+)/.exec(out.stderr)?.[1];
  if (version !== undefined && Number(version) < 17) {
    throw new LocalStackError(
      `DynamoDB Local needs Java 17 or newer; found Java ${version}. Install Java 17.`,
    );
  }
}

export interface ManagedChild {
  readonly name: string;
  readonly process: ChildProcess;
  /** SIGTERM by default (SIGKILL after 3 s); SIGKILL at once to simulate a crash. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const children = new Set<ChildProcess>();
// Last line of defence: if this process exits for any reason, its children go with it.
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** Keeps the last lines a child printed, to show them when it fails to start. */
function tail(child: ChildProcess, max = 20): () => string {
  const lines: string[] = [];
  const take = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - max));
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  return () => lines.join('\n');
}

export async function startChild(opts: {
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  /** Resolves once the child serves requests. */
  ready: () => Promise<boolean>;
  timeoutMs: number;
  fix: string;
}): Promise<ManagedChild> {
  const child = spawn(opts.command, opts.args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const output = tail(child);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    children.delete(child);
    exited = `exited with ${signal ?? `code ${code}`}`;
  });
  child.once('error', (err) => (exited = err.message));

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (exited !== undefined) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(killer);
  };

  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (exited !== undefined) {
      throw new LocalStackError(`${opts.name} failed to start (${exited}). ${opts.fix}\n${output()}`);
    }
    if (await opts.ready().catch(() => false)) return { name: opts.name, process: child, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new LocalStackError(
        `${opts.name} did not become ready within ${opts.timeoutMs / 1000}s. ${opts.fix}\n${output()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
