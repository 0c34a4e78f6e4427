import { PLACES } from "./catalog.js";
import type { Random } from "./random.js";

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

/** Every person met so far (returning customers are drawn from them): unique id and current place. */
export class People {
  private readonly uniqueIds: string[] = [];
  private readonly placeCodes: number[] = [];

  get count(): number {
    return this.uniqueIds.length;
  }

  /** Adds a person; returns its index. */
  add(uniqueId: string, placeCode: number): number {
    this.uniqueIds.push(uniqueId);
    this.placeCodes.push(placeCode);
    return this.uniqueIds.length - 1;
  }

  uniqueId(person: number): string {
    return this.uniqueIds[person] as string;
  }

  placeCode(person: number): number {
    return this.placeCodes[person] as number;
  }

  move(person: number, placeCode: number): void {
    this.placeCodes[person] = placeCode;
  }
}
