import { createServer, Agent, request } from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listenRelayed, type Relay } from '../../../../local/standins/accept-relay.js';

const open: Relay[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

async function echoServer(): Promise<Relay> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => res.end(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`));
  });
  const relay = await listenRelayed(server);
  open.push(relay);
  return relay;
}

function post(port: number, path: string, body: string, agent?: Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('listenRelayed', () => {
  it('serves requests through the relay, on fresh and on kept-alive connections', async () => {
    const relay = await echoServer();
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(relay.port, `/n${i}`, `body ${i}`, agent)),
    );
    expect(answers).toEqual(Array.from({ length: 20 }, (_, i) => `POST /n${i} body ${i}`));
    agent.destroy();
  });

  it('reports a busy port with the listen error code', async () => {
    const relay = await echoServer();
    await expect(listenRelayed(createServer(), relay.port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('drops kept-alive connections on close', async () => {
    const relay = await echoServer();
    const socket = net.connect(relay.port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.write('GET /a HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    await relay.close();
    open.splice(0);
    await closed;
    expect(socket.destroyed).toBe(true);
  });
});
