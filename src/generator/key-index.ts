/**
 * Dense numbers (0, 1, 2, ...) for keys, in the order they are first added. Keys of the two shapes
 * the generator makes by the million live in open-addressing tables of typed arrays (a few bytes
 * per key instead of a string and a Map entry): 32-digit lowercase hex ids as four 32-bit words, and
 * non-negative integers below 2^53. Any other key goes to a Map. Tables grow at 3/4 full.
 */
export class KeyIndex {
  private readonly others = new Map<string, number>();
  private hexWords = new Uint32Array(4 << 10);
  private hexNumbers = new Int32Array(1 << 10).fill(-1);
  private hexCount = 0;
  private integerKeys = new Float64Array(1 << 10);
  private integerNumbers = new Int32Array(1 << 10).fill(-1);
  private integerCount = 0;
  private readonly words = new Uint32Array(4);
  private count = 0;

  /** Keys added so far. */
  get size(): number {
    return this.count;
  }

  /** The number of `key`, or -1 if it was never added. */
  find(key: string | number): number {
    if (typeof key === "number" && Number.isSafeInteger(key) && key >= 0)
      return this.integerNumbers[this.integerSlot(key)] as number;
    if (typeof key === "string" && this.packHex(key)) return this.hexNumbers[this.hexSlot()] as number;
    return this.others.get(String(key)) ?? -1;
  }

  /** The number of `key`, the next one if it is new. */
  add(key: string | number): number {
    if (typeof key === "number" && Number.isSafeInteger(key) && key >= 0) return this.addInteger(key);
    if (typeof key === "string" && this.packHex(key)) return this.addHex();
    const text = String(key);
    let number = this.others.get(text);
    if (number === undefined) {
      number = this.count++;
      this.others.set(text, number);
    }
    return number;
  }

  private addInteger(key: number): number {
    let slot = this.integerSlot(key);
    const found = this.integerNumbers[slot] as number;
    if (found !== -1) return found;
    if ((this.integerCount + 1) * 4 > this.integerNumbers.length * 3) {
      this.growIntegers();
      slot = this.integerSlot(key);
    }
    this.integerKeys[slot] = key;
    this.integerNumbers[slot] = this.count;
    this.integerCount++;
    return this.count++;
  }

  private integerSlot(key: number): number {
    const mask = this.integerNumbers.length - 1;
    let slot = (Math.imul(key | 0, 0x9e3779b1) ^ Math.floor(key / 4294967296)) & mask;
    while (this.integerNumbers[slot] !== -1 && this.integerKeys[slot] !== key) slot = (slot + 1) & mask;
    return slot;
  }

  private growIntegers(): void {
    const keys = this.integerKeys;
    const numbers = this.integerNumbers;
    this.integerKeys = new Float64Array(keys.length * 2);
    this.integerNumbers = new Int32Array(numbers.length * 2).fill(-1);
    for (let old = 0; old < numbers.length; old++) {
      if (numbers[old] === -1) continue;
      const slot = this.integerSlot(keys[old] as number);
      this.integerKeys[slot] = keys[old] as number;
      this.integerNumbers[slot] = numbers[old] as number;
    }
  }

  /** Packs a 32-digit lowercase hex key into `words`; false for any other text. */
  private packHex(key: string): boolean {
    if (key.length !== 32) return false;
    for (let word = 0; word < 4; word++) {
      let value = 0;
      for (let index = word * 8; index < word * 8 + 8; index++) {
        const code = key.charCodeAt(index);
        const digit = code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : -1;
        if (digit < 0) return false;
        value = value * 16 + digit;
      }
      this.words[word] = value;
    }
    return true;
  }

  private addHex(): number {
    let slot = this.hexSlot();
    const found = this.hexNumbers[slot] as number;
    if (found !== -1) return found;
    if ((this.hexCount + 1) * 4 > this.hexNumbers.length * 3) {
      this.growHex();
      slot = this.hexSlot();
    }
    this.hexWords.set(this.words, slot * 4);
    this.hexNumbers[slot] = this.count;
    this.hexCount++;
    return this.count++;
  }

  /** The slot of the key in `words`: where it is, or the empty slot where it would go. */
  private hexSlot(): number {
    const words = this.words;
    return this.hexSlotOf(words[0] as number, words[1] as number, words[2] as number, words[3] as number);
  }

  private hexSlotOf(w0: number, w1: number, w2: number, w3: number): number {
    const table = this.hexWords;
    const mask = this.hexNumbers.length - 1;
    let slot = (w0 ^ Math.imul(w1, 0x9e3779b1) ^ w3) & mask;
    while (this.hexNumbers[slot] !== -1) {
      const at = slot * 4;
      if (table[at] === w0 && table[at + 1] === w1 && table[at + 2] === w2 && table[at + 3] === w3) break;
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private growHex(): void {
    const table = this.hexWords;
    const numbers = this.hexNumbers;
    this.hexWords = new Uint32Array(table.length * 2);
    this.hexNumbers = new Int32Array(numbers.length * 2).fill(-1);
    for (let old = 0; old < numbers.length; old++) {
      if (numbers[old] === -1) continue;
      const at = old * 4;
      const slot = this.hexSlotOf(
        table[at] as number,
        table[at + 1] as number,
        table[at + 2] as number,
        table[at + 3] as number,
      );
      this.hexWords.set(table.subarray(at, at + 4), slot * 4);
      this.hexNumbers[slot] = numbers[old] as number;
    }
  }
}
