// Raw JSON-RPC for tests that drive a node directly, and helpers for the usual steps.

export async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** The receipt of `tx`, polled: even with automine, a busy anvil may answer null at first. */
export async function receiptOf(
  url: string,
  tx: unknown,
  timeoutMs = 10_000,
): Promise<{ contractAddress: string }> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const receipt = (await rpc(url, 'eth_getTransactionReceipt', [tx])) as { contractAddress: string } | null;
    if (receipt) return receipt;
    if (Date.now() > end) throw new Error(`no receipt for ${String(tx)} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Init code for a contract whose every call emits LOG1(topic, calldata): hand-assembled, no solc. */
export function emitterInitCode(topic: string): string {
  const runtime = `366000600037` + `7f${topic.slice(2)}` + `366000a100`;
  const len = (runtime.length / 2).toString(16).padStart(2, '0');
  return `0x60${len}80600b6000396000f3${runtime}`;
}
