import { Interface, type InterfaceAbi, type TransactionReceipt } from 'ethers';

/** An event decoded from a receipt: its name and arguments in declaration order. */
export interface DecodedEvent {
  name: string;
  args: unknown[];
}

/** The events `address` emitted in `receipt`, decoded with `abi`, in log order. */
export function eventsOf(receipt: TransactionReceipt, address: string, abi: InterfaceAbi): DecodedEvent[] {
  const iface = new Interface(abi);
  return receipt.logs
    .filter((log) => log.address.toLowerCase() === address.toLowerCase())
    .map((log) => {
      const parsed = iface.parseLog(log);
      if (!parsed) throw new Error(`unknown event in log ${log.index}`);
      return { name: parsed.name, args: parsed.args.toArray() };
    });
}
