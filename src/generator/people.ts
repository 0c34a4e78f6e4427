import { PLACES } from "./catalog.js";
import { Int32Column } from "./columns.js";
import { hexOfWords, type Random, wordOfHex } from "./random.js";

/** Where a person or seller lives, as the raw files spell it. */
export interface Place {
  readonly zip: string;
  readonly city: string;
  readonly state: string;
}

const PLACE_SLOTS = 64;
const LOWERCASE_STATES = PLACES.map(([, state]) => state.toLowerCase());

/**
 * Draws a place packed into one number (zip, catalogue index, lowercase-state flag), so that millions
 * of people cost a few bytes each. Draws exactly what an unpacked place would: index, case, zip.
 */
export const drawPlaceCode = (random: Random): number => {
  const index = random.index(PLACES.length);
  const [, , low, high] = PLACES[index] as (typeof PLACES)[number];
  const lowercase = random.chance(0.02);
  return random.int(low, high) * PLACE_SLOTS + index * 2 + (lowercase ? 1 : 0);
};

export const placeOf = (code: number): Place => {
  const index = (code % PLACE_SLOTS) >> 1;
  const [city, state] = PLACES[index] as (typeof PLACES)[number];
  return {
    zip: String(Math.floor(code / PLACE_SLOTS)).padStart(5, "0"),
    city,
    state: code % 2 === 1 ? (LOWERCASE_STATES[index] as string) : state,
  };
};

/**
 * Every person met so far (returning customers are drawn from them): unique id (a hex id, kept as
 * four 32-bit words) and current place (packed), in typed columns: a few dozen bytes a person.
 */
export class People {
  private readonly idWords = new Int32Column(0);
  private readonly placeCodes = new Int32Column(0);
  private people = 0;

  get count(): number {
    return this.people;
  }

  /** Adds a person (`uniqueId` is a 32-digit lowercase hex id); returns its index. */
  add(uniqueId: string, placeCode: number): number {
    const person = this.people++;
    for (let word = 0; word < 4; word++) this.idWords.set(person * 4 + word, wordOfHex(uniqueId, word));
    this.placeCodes.set(person, placeCode);
    return person;
  }

  uniqueId(person: number): string {
    const at = person * 4;
    return hexOfWords(
      this.idWords.get(at),
      this.idWords.get(at + 1),
      this.idWords.get(at + 2),
      this.idWords.get(at + 3),
    );
  }

  placeCode(person: number): number {
    return this.placeCodes.get(person);
  }

  move(person: number, placeCode: number): void {
    this.placeCodes.set(person, placeCode);
  }
}
