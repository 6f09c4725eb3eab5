/** A readiness probe that asks the JSON-RPC endpoint for its latest block number. */
export function rpcProbe(rpcUrl: string) {
  return {
    name: 'chain',
    async check(): Promise<Record<string, number>> {
      const res = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
        signal: AbortSignal.timeout(2_500),
      });
      if (!res.ok) throw new Error(`RPC answered HTTP ${res.status}`);
      const body = (await res.json()) as { result?: unknown; error?: { message?: string } };
      if (typeof body.result !== 'string')
        throw new Error(`RPC error: ${body.error?.message ?? 'no result'}`);
      return { blockNumber: Number(BigInt(body.result)) };
    },
  };
}
