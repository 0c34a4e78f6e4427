/**
 * Growable typed columns: one number per slot, a few bytes each, instead of a JS array of values
 * (8 bytes a pointer, and an object per non-small number). Unset slots read as the column's fill.
 */

type TypedArray = Int32Array | Float64Array | Uint8Array;

abstract class Column<Values extends TypedArray> {
  protected values: Values;

  constructor(
    private readonly fill: number,
    capacity = 1024,
  ) {
    this.values = this.allocate(capacity);
    if (fill !== 0) this.values.fill(fill);
  }

  protected abstract allocate(capacity: number): Values;

  get(slot: number): number {
    return slot >= 0 && slot < this.values.length ? (this.values[slot] as number) : this.fill;
  }

  set(slot: number, value: number): void {
    if (slot >= this.values.length) this.grow(slot);
    this.values[slot] = value;
  }

  private grow(slot: number): void {
    let capacity = this.values.length * 2;
    while (capacity <= slot) capacity *= 2;
    const values = this.allocate(capacity);
    values.set(this.values);
    if (this.fill !== 0) values.fill(this.fill, this.values.length);
    this.values = values;
  }
}

export class Int32Column extends Column<Int32Array> {
  protected allocate(capacity: number): Int32Array {
    return new Int32Array(capacity);
  }
}

export class Float64Column extends Column<Float64Array> {
  protected allocate(capacity: number): Float64Array {
    return new Float64Array(capacity);
  }
}

export class Uint8Column extends Column<Uint8Array> {
  protected allocate(capacity: number): Uint8Array {
    return new Uint8Array(capacity);
  }
}

/** A few distinct texts (statuses, payment types, file names) as small numbers; 0 stands for none. */
export class TextCodes {
  private readonly codes = new Map<string, number>();
  private readonly texts: string[] = [""];

  codeOf(text: string): number {
    let code = this.codes.get(text);
    if (code === undefined) {
      code = this.texts.length;
      this.codes.set(text, code);
      this.texts.push(text);
    }
    return code;
  }

  textOf(code: number): string {
    return this.texts[code] as string;
  }
}
