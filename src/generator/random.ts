/**
 * A small seeded PRNG (sfc32 seeded through splitmix32): the generator's only source of
 * randomness, so the same seed always produces byte-identical files.
 */
const HEX_DIGITS = Buffer.from("0123456789abcdef", "latin1");
/** Scratch space for one hex id (ids are built digit by digit: far cheaper than `toString(16)`). */
const HEX_ID_BUFFER = Buffer.alloc(32);

/** Four 32-bit words as a 32-digit lowercase hex id (each word zero-padded to 8 digits). */
export const hexOfWords = (w0: number, w1: number, w2: number, w3: number): string => {
  const words = [w0, w1, w2, w3];
  for (let word = 0; word < 4; word++) {
    const value = words[word] as number;
    for (let digit = 0; digit < 8; digit++)
      HEX_ID_BUFFER[word * 8 + digit] = HEX_DIGITS[(value >>> (28 - 4 * digit)) & 15] as number;
  }
  return HEX_ID_BUFFER.toString("latin1");
};

/** Word `word` (0-3) of a 32-digit lowercase hex id. */
export const wordOfHex = (id: string, word: number): number => {
  let value = 0;
  for (let index = word * 8; index < word * 8 + 8; index++) {
    const code = id.charCodeAt(index);
    value = value * 16 + (code <= 57 ? code - 48 : code - 87);
  }
  return value;
};

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let state = seed >>> 0;
    const next = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return probability > 0 && this.next() < probability;
  }

  /** Uniform index in [0, length): what `pick` draws. */
  index(length: number): number {
    return Math.floor(this.next() * length);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.index(items.length)];
    if (item === undefined) throw new RangeError("pick from an empty list");
    return item;
  }

  /** Picks by weight: `weighted([["a", 3], ["b", 1]])` returns "a" three times as often. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [value, weight] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    const last = choices[choices.length - 1];
    if (!last) throw new RangeError("weighted pick from an empty list");
    return last[0];
  }

  /** A 32-character lowercase hex id, shaped like the Olist ids. */
  hexId(): string {
    return hexOfWords(this.uint32(), this.uint32(), this.uint32(), this.uint32());
  }
}
