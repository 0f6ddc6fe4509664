/** India Standard Time has no daylight saving: a fixed +05:30 offset, so day arithmetic is exact. */
const IST_OFFSET_MS = (5 * 60 + 30) * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** An IST calendar day as a whole number of days since 1970-01-01 (IST). */
export type IstDay = number;

export function istDay(at: Date): IstDay {
  return Math.floor((at.getTime() + IST_OFFSET_MS) / DAY_MS);
}

/** The instant an IST day begins (IST midnight). */
export function istDayStart(day: IstDay): Date {
  return new Date(day * DAY_MS - IST_OFFSET_MS);
}

/** YYYY-MM of the IST month containing `at`. */
export function istMonth(at: Date): string {
  return new Date(at.getTime() + IST_OFFSET_MS).toISOString().slice(0, 7);
}

/** The instant the IST month containing `at` begins. */
export function istMonthStart(at: Date): Date {
  const shifted = new Date(at.getTime() + IST_OFFSET_MS);
  return new Date(Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth(), 1) - IST_OFFSET_MS);
}
