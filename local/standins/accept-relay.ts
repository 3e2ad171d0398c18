// Serves an in-process HTTP server through a listening socket owned by a worker thread. Node
// (libuv 1.46) accepts one connection per event-loop turn, so a server sharing the loop with every
// local function accepts one connection per turn of a loop that is busy with a burst: measured at
// 1,000 copies, 489 connections waited in the AWS stand-in's accept queue and the Bot API's
// `sendMessage` waited up to 20 s for its connection. AWS and Telegram accept at once. The worker
// accepts at once and relays the bytes; parsing and answering stay on this thread with the state.
import { Duplex } from 'node:stream';
import type { Server } from 'node:http';
import { Worker } from 'node:worker_threads';

export interface Relay {
  readonly port: number;
  /** Stops listening and drops every relayed connection. */
  close(): Promise<void>;
}

type ToMain =
  | { t: 'listening'; port: number }
  | { t: 'error'; message: string; code?: string }
  | { t: 'open'; id: number; remoteAddress?: string; remotePort?: number }
  | { t: 'data'; id: number; b: Uint8Array }
  | { t: 'end' | 'close'; id: number };

type ToWorker = { t: 'data'; id: number; b: Uint8Array } | { t: 'end' | 'destroy'; id: number };

// Plain JavaScript: the worker runs without the TypeScript loader.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const sockets = new Map();
let next = 0;
const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (s) => {
  const id = ++next;
  sockets.set(id, s);
  parentPort.postMessage({ t: 'open', id, remoteAddress: s.remoteAddress, remotePort: s.remotePort });
  s.on('data', (b) => parentPort.postMessage({ t: 'data', id, b }));
  s.on('end', () => parentPort.postMessage({ t: 'end', id }));
  s.on('close', () => { sockets.delete(id); parentPort.postMessage({ t: 'close', id }); });
  s.on('error', () => undefined);
});
parentPort.on('message', (m) => {
  const s = sockets.get(m.id);
  if (!s) return;
  if (m.t === 'data') s.write(m.b);
  else if (m.t === 'end') s.end();
  else s.destroy();
});
server.on('error', (e) => parentPort.postMessage({ t: 'error', message: String(e && e.message), code: e && e.code }));
server.listen(workerData.port, workerData.host, () => parentPort.postMessage({ t: 'listening', port: server.address().port }));
`;

/** One relayed connection as http.Server sees it: the parts of net.Socket the server uses. */
class RelayedSocket extends Duplex {
  private idleMs = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: (m: ToWorker) => void,
    private readonly id: number,
    readonly remoteAddress: string | undefined,
    readonly remotePort: number | undefined,
  ) {
    super({ allowHalfOpen: true });
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.touch();
    this.send({ t: 'data', id: this.id, b: chunk });
    done();
  }

  override _final(done: (err?: Error | null) => void): void {
    this.send({ t: 'end', id: this.id });
    done();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    clearTimeout(this.idleTimer);
    this.send({ t: 'destroy', id: this.id });
    done(err);
  }

  received(b: Uint8Array): void {
    this.touch();
    this.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  }

  /** net.Socket's idle timeout: the server uses it for keepAliveTimeout and headersTimeout. */
  setTimeout(ms: number, onTimeout?: () => void): this {
    this.idleMs = ms;
    if (onTimeout) this.once('timeout', onTimeout);
    this.touch();
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    if (this.idleMs > 0 && !this.destroyed)
      this.idleTimer = setTimeout(() => this.emit('timeout'), this.idleMs).unref();
  }
}

/** Listens on 127.0.0.1:`port` (0: any free port) for `server`, which must not listen itself. */
export async function listenRelayed(server: Server, port = 0): Promise<Relay> {
  const worker = new Worker(WORKER, { eval: true, workerData: { port, host: '127.0.0.1' } });
  const sockets = new Map<number, RelayedSocket>();
  const send = (m: ToWorker) => worker.postMessage(m);
  const listening = new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m: ToMain) => {
      switch (m.t) {
        case 'listening':
          return resolve(m.port);
        case 'error':
          // With the listen error's code (EADDRINUSE), as server.listen would report it.
          return reject(Object.assign(new Error(m.message), { code: m.code }));
        case 'open': {
          const s = new RelayedSocket(send, m.id, m.remoteAddress, m.remotePort);
          sockets.set(m.id, s);
          server.emit('connection', s);
          return;
        }
        case 'data':
          return sockets.get(m.id)?.received(m.b);
        case 'end':
          return void sockets.get(m.id)?.push(null);
        case 'close': {
          const s = sockets.get(m.id);
          sockets.delete(m.id);
          if (s && !s.destroyed) s.destroy();
          return;
        }
      }
    });
  });
  const bound = await listening.catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });
  return {
    port: bound,
    close: async () => {
      for (const s of sockets.values()) s.destroy();
      sockets.clear();
      await worker.terminate();
    },
  };
}
