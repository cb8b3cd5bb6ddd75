/**
 * Place names as they appear in text a person wrote: a folder name ("哈尔滨之旅", "2019-西安",
 * "Trips/东京2023") or a query. One matcher over every alias the gazetteer knows, longest match
 * first, so 西安市 wins over 西安 and 哈尔滨 is not read as 哈 + 尔滨.
 */
import type { Gazetteer, PlaceEntry } from './gazetteer.ts';

export interface NameMatch {
  /** UTF-16 offsets in the text that was searched. */
  start: number;
  end: number;
  text: string;
  places: PlaceEntry[];
  /** Those of `places` for which the name is a full name or strong alias (西安 → 西安市, not the two 西安区). */
  strongPlaces: PlaceEntry[];
  /** The match is a weak alias (a short district name that is also a word). */
  weak: boolean;
  /** The match is a landmark's name: evidence for the place it lies in, and a visual word too. */
  landmark: boolean;
}

interface Entry {
  places: PlaceEntry[];
  strong: PlaceEntry[];
  weak: boolean;
  landmark: boolean;
}

/** Aliases → places, with longest-first matching (names are at most ~12 characters). */
export class PlaceNameMatcher {
  private readonly names = new Map<string, Entry>();
  private maxLength = 0;

  /** Every place the gazetteer knows, or only those of `only` (a library's places) and their ancestors. */
  static fromGazetteer(g: Gazetteer, only?: Iterable<string>): PlaceNameMatcher {
    const m = new PlaceNameMatcher();
    let allowed: Set<number> | null = null;
    if (only) {
      allowed = new Set();
      for (const id of only) {
        for (let p = g.byId(id); p; p = p.parent >= 0 ? g.places[p.parent] : undefined) allowed.add(p.index);
      }
    }
    for (const p of g.places) {
      if (allowed && !allowed.has(p.index)) continue;
      for (const a of p.aliases) m.add(a, p, false, false);
      for (const a of p.weakAliases) m.add(a, p, true, false);
    }
    for (const l of g.landmarks) {
      if (allowed && !allowed.has(l.place.index)) continue;
      for (const n of l.names) m.add(n, l.place, false, true);
    }
    return m;
  }

  add(name: string, place: PlaceEntry, weak: boolean, landmark: boolean): void {
    const key = name.toLowerCase();
    const e = this.names.get(key);
    const strong = !weak || landmark;
    if (!e) {
      this.names.set(key, { places: [place], strong: strong ? [place] : [], weak: weak && !landmark, landmark });
    } else {
      if (!e.places.includes(place)) e.places.push(place);
      if (strong && !e.strong.includes(place)) e.strong.push(place);
      // A strong reading anywhere makes the name strong (长安 is weak as a district, strong as a city
      // elsewhere); a landmark's name stays a landmark (西湖 is also 西湖区's short name) so it is
      // kept for the visual search.
      e.landmark ||= landmark;
      e.weak = e.landmark ? false : e.weak && weak;
    }
    this.maxLength = Math.max(this.maxLength, key.length);
  }

  get size(): number {
    return this.names.size;
  }

  /** Non-overlapping matches, scanning left to right, longest name first at each position. */
  matchAll(text: string): NameMatch[] {
    const lower = text.toLowerCase();
    const out: NameMatch[] = [];
    for (let i = 0; i < lower.length; ) {
      let found: NameMatch | null = null;
      for (let len = Math.min(this.maxLength, lower.length - i); len >= 2; len--) {
        const e = this.names.get(lower.slice(i, i + len));
        if (e) {
          found = { start: i, end: i + len, text: text.slice(i, i + len), places: e.places, strongPlaces: e.strong, weak: e.weak, landmark: e.landmark };
          break;
        }
      }
      if (found) {
        out.push(found);
        i = found.end;
      } else i++;
    }
    return out;
  }
}

/**
 * Places named in a photo's folder path, innermost folder first: evidence for photos without GPS.
 * Only strong names count (a folder "白云" is more likely clouds than 广州's 白云区), and a match
 * inside a longer Latin word does not (the ASCII part of a name is never a place here).
 */
export function placesInFolder(matcher: PlaceNameMatcher, folderPath: string): NameMatch[] {
  const parts = folderPath.split(/[\\/]+/).filter(Boolean).reverse();
  const out: NameMatch[] = [];
  for (const part of parts) for (const m of matcher.matchAll(part)) if (!m.weak) out.push(m);
  return out;
}
