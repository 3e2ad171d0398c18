// An HTTP proxy in front of DynamoDB Local that can answer chosen operations 503 (DynamoDB
// unreachable for them) while the rest pass: the window in which a run's work finished but its
// result could not be stored, which killing the shared DynamoDB Local cannot open for one test.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OutageProxy {
  readonly endpoint: string;
  /** Operations (e.g. `UpdateItem`) answered 503 until set back to an empty set. */
  down: ReadonlySet<string>;
  /** How many requests were refused so far. */
  readonly refused: () => number;
  close(): Promise<void>;
}

function operationOf(req: IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  return typeof target === 'string' ? (target.split('.').pop() ?? '') : '';
}

export async function dynamoOutageProxy(upstream: string): Promise<OutageProxy> {
  const target = new URL(upstream);
  let refused = 0;
  const proxy: { down: ReadonlySet<string> } = { down: new Set() };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (proxy.down.has(operationOf(req))) {
        refused += 1;
        res.writeHead(503, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable', message: 'drill' }),
        );
        return;
      }
      const forward = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get down() {
      return proxy.down;
    },
    set down(operations) {
      proxy.down = operations;
    },
    refused: () => refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
