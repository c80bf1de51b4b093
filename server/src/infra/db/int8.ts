/** int8 as a JS number (ids, seqs, counts). Beyond 2^53 precision would be lost, so it fails loudly. */
export function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} exceeds Number.MAX_SAFE_INTEGER`);
  return n;
}
