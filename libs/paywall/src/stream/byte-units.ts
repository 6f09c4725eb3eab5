/** One unit of a byte-metered stream (docs/protocol.md 7.3, "Byte-metered streams"): `unitBytes` bytes of the body. */
export interface ByteUnit {
  /** The bytes as they came from the upstream (the last unit of a body may be shorter than the unit size). */
  readonly text: Uint8Array;
  readonly unit: true;
}

const encoder = new TextEncoder();

/**
 * Cuts a response body into units of `unitBytes` bytes, whatever its chunking: what a chunk does not fill waits for
 * the next one, and the end of the body yields what is left as one last (shorter) unit. It copies only to join a unit
 * that spans chunks; a unit inside one chunk is a view of it. Holds at most one unit's worth of bytes.
 */
export class ByteUnitCutter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  constructor(private readonly unitBytes: number) {
    if (!Number.isSafeInteger(unitBytes) || unitBytes < 1)
      throw new RangeError('unitBytes must be an integer >= 1');
  }

  /** The units completed by `chunk` (a string is taken as its UTF-8 bytes). */
  push(chunk: Uint8Array | string): ByteUnit[] {
    let bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    const units: ByteUnit[] = [];
    if (this.pendingBytes > 0) {
      const missing = this.unitBytes - this.pendingBytes;
      if (bytes.byteLength < missing) {
        if (bytes.byteLength > 0) this.hold(bytes);
        return units;
      }
      this.hold(bytes.subarray(0, missing));
      units.push({ text: this.takePending(), unit: true });
      bytes = bytes.subarray(missing);
    }
    let at = 0;
    for (; bytes.byteLength - at >= this.unitBytes; at += this.unitBytes)
      units.push({ text: bytes.subarray(at, at + this.unitBytes), unit: true });
    if (at < bytes.byteLength) this.hold(bytes.subarray(at));
    return units;
  }

  /** The end of the body: what is left, as one last unit (none when the body ended on a unit boundary). */
  end(): ByteUnit[] {
    return this.pendingBytes === 0 ? [] : [{ text: this.takePending(), unit: true }];
  }

  private hold(bytes: Uint8Array): void {
    // A copy: the producer may reuse its buffer once the chunk was handed over (a handler's res.write).
    this.pending.push(Uint8Array.from(bytes));
    this.pendingBytes += bytes.byteLength;
  }

  private takePending(): Uint8Array {
    const joined = new Uint8Array(this.pendingBytes);
    let offset = 0;
    for (const part of this.pending) {
      joined.set(part, offset);
      offset += part.byteLength;
    }
    this.pending = [];
    this.pendingBytes = 0;
    return joined;
  }
}

/**
 * The units of a byte body, one at a time as the consumer pulls: like sseBlocksOf, the body is read only while the
 * consumer pulls (not during a pause), and a consumer that returns early ends it.
 */
export async function* byteUnitsOf(
  body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  unitBytes: number,
): AsyncGenerator<ByteUnit> {
  const cutter = new ByteUnitCutter(unitBytes);
  for await (const chunk of body) yield* cutter.push(chunk);
  yield* cutter.end();
}
