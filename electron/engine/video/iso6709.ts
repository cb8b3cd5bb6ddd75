/**
 * ISO 6709 point strings as cameras write them into videos: QuickTime's `©xyz` (shown by ffprobe as
 * `location`, e.g. Android's "+40.6800-074.5000/") and Apple's
 * `com.apple.quicktime.location.ISO6709` ("+51.5334-000.1255+026.756/"). Annex H allows degrees,
 * degrees+minutes and degrees+minutes+seconds, told apart by the number of integer digits
 * (latitude 2/4/6, longitude 3/5/7), an optional altitude in metres and an optional "CRS…" suffix.
 */
export interface GeoPoint {
  latitude: number;
  longitude: number;
  /** Metres, when the string has it. */
  altitude: number | null;
}

const POINT = /^([+-])(\d+(?:\.\d+)?)([+-])(\d+(?:\.\d+)?)(?:([+-])(\d+(?:\.\d+)?))?(?:CRS[^/]*)?\/?$/;

function sexagesimal(text: string, degreeDigits: number): number | null {
  const int = text.split('.')[0].length;
  const frac = text.includes('.') ? Number(`0.${text.split('.')[1]}`) : 0;
  if (int === degreeDigits) return Number(text);
  if (int === degreeDigits + 2) {
    const d = Number(text.slice(0, degreeDigits));
    const m = Number(text.slice(degreeDigits, degreeDigits + 2)) + frac;
    return m < 60 ? d + m / 60 : null;
  }
  if (int === degreeDigits + 4) {
    const d = Number(text.slice(0, degreeDigits));
    const m = Number(text.slice(degreeDigits, degreeDigits + 2));
    const s = Number(text.slice(degreeDigits + 2, degreeDigits + 4)) + frac;
    return m < 60 && s < 60 ? d + m / 60 + s / 3600 : null;
  }
  return null;
}

/** The point, or null for anything that is not a valid ISO 6709 point (never throws). */
export function parseIso6709(text: string | undefined | null): GeoPoint | null {
  if (!text) return null;
  const m = POINT.exec(text.trim());
  if (!m) return null;
  const lat = sexagesimal(m[2], 2);
  const lon = sexagesimal(m[4], 3);
  if (lat === null || lon === null) return null;
  const latitude = m[1] === '-' ? -lat : lat;
  const longitude = m[3] === '-' ? -lon : lon;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  // "+00.0000+000.0000/" is what some phones write without a fix: no place, not the Gulf of Guinea.
  if (latitude === 0 && longitude === 0) return null;
  const altitude = m[6] !== undefined ? (m[5] === '-' ? -1 : 1) * Number(m[6]) : null;
  return { latitude, longitude, altitude };
}
