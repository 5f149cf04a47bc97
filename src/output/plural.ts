/** A count with its noun, singular for one: `1 message`, `2 messages`, `0 bytes`. Pure. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
