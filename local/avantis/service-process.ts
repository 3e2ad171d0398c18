// The local Avantis service in a process of its own, as Avantis' service is a system of its own to
// Alfa: in the stack's one Node process its answers queued behind every copier job's work, so a
// burst of 1,000 copies timed its positions reads out (at 5 s and at 10 s) and each job ran ~5
// times. Here it has its own event loop and the OS shares the cores between the two. The parent
// forks this file (with its own loader flags, so tsx works as in the parent), sends the deployment
// over IPC and gets the service's URLs back; a child whose parent went away exits.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { AvantisAddresses } from '../chain/abi.js';
import { Wallet } from 'ethers';
import { localProvider, type DeployedAvantis } from '../chain/deploy.js';
import { startAvantisService, type AvantisInfo, type AvantisServiceOptions } from './local-service.js';

/** What the parent sends: the chain and the deployment the service works on. */
interface StartMessage {
  readonly kind: 'start';
  readonly rpcUrl: string;
  readonly port: number;
  readonly chainId: number;
  readonly deployBlock: number;
  readonly addresses: AvantisAddresses;
  /** The contracts' owner, who registers the service's keeper if the upgrade did not name it. */
  readonly deployerKey: string;
}

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const readyInfo = z.object({
  rpcUrl: z.string(),
  chainId: z.number().int().positive(),
  tradingRouter: address,
  batchedMarketUrl: z.string(),
  usdc: address,
  pricesUrl: z.string(),
  userDataUrl: z.string(),
  faultsUrl: z.string(),
});
const childMessage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ready'), info: readyInfo }),
  z.object({ kind: z.literal('log'), line: z.string() }),
  z.object({ kind: z.literal('failed'), error: z.string() }),
]);

export interface AvantisServiceProcess {
  readonly pid: number;
  info(upgradeBlock: number | null): AvantisInfo;
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
const CLOSE_TIMEOUT_MS = 10_000;

export async function startAvantisServiceProcess(
  deployed: Pick<DeployedAvantis, 'addresses' | 'chainId' | 'deployBlock' | 'deployer'>,
  opts: Pick<AvantisServiceOptions, 'rpcUrl' | 'port' | 'log'>,
): Promise<AvantisServiceProcess> {
  // tsx's loader by path: the parent may run under vitest or tsx, and the cwd may be anywhere.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = fork(fileURLToPath(import.meta.url), ['--child'], {
    execArgv: ['--import', tsx],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('the local Avantis service process did not start');
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  let started = false;
  // Once it runs, a death of the service is said, not silent (the stack's requests to it would fail).
  child.once('exit', (code, signal) => {
    if (started) opts.log?.(`local Avantis service exited (code ${code}, signal ${signal})`);
  });
  const info = await new Promise<Omit<AvantisInfo, 'upgradeBlock' | 'contracts'>>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error('the local Avantis service did not start within 60 s')),
      START_TIMEOUT_MS,
    );
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    child.once('exit', (code) => fail(new Error(`the local Avantis service exited at start (code ${code})`)));
    child.on('message', (raw) => {
      const m = childMessage.safeParse(raw);
      if (!m.success) return fail(new Error(`the local Avantis service said ${JSON.stringify(raw)}`));
      if (m.data.kind === 'log') opts.log?.(m.data.line);
      else if (m.data.kind === 'failed')
        fail(new Error(`the local Avantis service failed to start: ${m.data.error}`));
      else {
        clearTimeout(timer);
        started = true;
        resolve(m.data.info);
      }
    });
    const start: StartMessage = {
      kind: 'start',
      rpcUrl: opts.rpcUrl,
      port: opts.port ?? 0,
      chainId: deployed.chainId,
      deployBlock: deployed.deployBlock,
      addresses: deployed.addresses,
      deployerKey: deployed.deployer.privateKey,
    };
    child.send(start);
  }).catch(async (err: unknown) => {
    child.kill('SIGKILL');
    await exit;
    throw err;
  });
  return {
    pid,
    info: (upgradeBlock) => ({ ...info, contracts: deployed.addresses, upgradeBlock }),
    async close() {
      if (exited) return;
      // A Ctrl-C reaches the child too (one process group): it may be gone already.
      if (child.connected) child.send({ kind: 'close' }, () => undefined);
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
      await exit;
      clearTimeout(timer);
    },
  };
}

async function runChild(): Promise<void> {
  const send = (m: z.input<typeof childMessage>) => process.send?.(m);
  // The parent is gone (crashed or killed): nothing would ever stop this process otherwise.
  process.on('disconnect', () => process.exit(0));
  process.once('message', (m: StartMessage) => {
    void (async () => {
      try {
        const provider = localProvider(m.rpcUrl);
        const service = await startAvantisService(
          {
            addresses: m.addresses,
            chainId: m.chainId,
            deployBlock: m.deployBlock,
            provider,
            deployer: new Wallet(m.deployerKey, provider),
          },
          { rpcUrl: m.rpcUrl, port: m.port, log: (line) => send({ kind: 'log', line }) },
        );
        process.on('message', (msg: { kind?: string }) => {
          if (msg.kind !== 'close') return;
          void service.close().finally(() => process.exit(0));
        });
        // The parent knows the contracts (it sent them) and the upgrade block.
        const { upgradeBlock: _planned, contracts: _sent, ...info } = service.info(null);
        send({ kind: 'ready', info });
      } catch (err) {
        send({ kind: 'failed', error: err instanceof Error ? err.message : String(err) });
        process.exit(1);
      }
    })();
  });
}

if (process.argv[2] === '--child' && process.argv[1] === fileURLToPath(import.meta.url)) void runChild();
