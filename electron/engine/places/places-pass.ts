/**
 * Reverse geocoding as a registered per-photo pass: each indexed photo gets its place at every
 * level the gazetteer knows (country, province/state, city, district) — from its GPS position
 * when it has one, else from a place named in its folders ("2019-西安/第一天", "哈尔滨之旅"),
 * recorded as source 'folder'. A photo with neither gets no place and is done all the same.
 *
 * The version includes the gazetteer's fingerprint, so a new gazetteer re-runs the pass over the
 * library; a photo's content change or a move to another folder makes it owed again (triggers,
 * migration 7). Work per photo is a lookup of a few microseconds and a handful of row writes, so
 * batches are large and one transaction each.
 */
import path from 'node:path';
import type { PassWait } from '../../shared/api.ts';
import { StatePass, type PassContext, type PassItem, type PassReport } from '../passes/pass.ts';
import type { Library } from '../store/library.ts';
import type { PhotoPlaceRecord, PlaceInput, PlaceLevelIndex } from '../store/photo-places.ts';
import { Gazetteer, gazetteerFingerprint, type PhotoPlace } from './gazetteer.ts';
import { PlaceNameMatcher, placesInFolder } from './place-names.ts';

export const PLACES_PASS = 'places';
/** Bump when what the pass records changes meaning. */
const ALGORITHM = 1;
const LEVELS = ['country', 'province', 'city', 'district'] as const;

export interface PlacesPassOptions {
  /** The gazetteer file (default: the shipped one). */
  gazetteerFile?: string;
}

export class PlacesPass extends StatePass {
  readonly name = PLACES_PASS;
  /** Cheap: first, so places are there before the slow passes (tags, OCR) finish. */
  readonly priority = 5;
  readonly batchSize = 2000;
  readonly usesVectors = false;
  /** Videos too: a place comes from the row (GPS, folders), never from reading the file. */
  protected override readonly kinds = ['photo', 'video'] as const;
  private gazetteer: Gazetteer | null = null;
  private folderNames: PlaceNameMatcher | null = null;
  /** Folder evidence per directory, for this batch (photos of one folder come together). */
  private byDir = new Map<string, PhotoPlaceRecord[]>();
  /** The library's places with this batch's GPS places: they settle which place an ambiguous folder name means. */
  private known = new Set<string>();
  private placed = 0;

  constructor(
    lib: Library,
    private readonly opts: PlacesPassOptions = {},
  ) {
    super(lib);
  }

  protected version(): string {
    return `places-${ALGORITHM}:${gazetteerFingerprint(this.opts.gazetteerFile)}`;
  }

  blocked(): PassWait | null {
    return null;
  }

  async run(batch: PassItem[], ctx: PassContext): Promise<void> {
    const g = (this.gazetteer ??= Gazetteer.load(this.opts.gazetteerFile));
    const inputs = this.lib.places.inputs(batch.map((p) => p.id));
    // GPS first: its places, with those already in the library, settle ambiguous folder names.
    const fromGps = new Map(inputs.map((p) => [p.id, this.fromGps(g, p)]));
    this.known = new Set(this.lib.places.knownPlaceIds());
    for (const records of fromGps.values()) for (const r of records ?? []) this.known.add(r.placeId);
    this.byDir = new Map();
    const results = inputs.map((p) => ({ id: p.id, records: fromGps.get(p.id) ?? this.fromFolderOf(g, p) }));
    this.lib.transaction(() => {
      this.lib.places.replaceMany(results.map((r) => ({ photoId: r.id, records: r.records })));
      // Photos deleted meanwhile are not recorded (pass-state skips them).
      this.markDone(batch.map((p) => p.id));
    });
    this.placed += results.filter((r) => r.records.length > 0).length;
    ctx.completed(batch.length);
  }

  async release(): Promise<void> {
    this.byDir = new Map();
    this.known = new Set();
  }

  report(): PassReport | null {
    const n = this.placed;
    this.placed = 0;
    return n > 0 ? { text: `placed ${n} photos`, counts: { photos: n } } : null;
  }

  /** A photo's places from its GPS position (null: no position, or one no place claims). */
  private fromGps(g: Gazetteer, p: PlaceInput): PhotoPlaceRecord[] | null {
    if (p.gpsLat === null || p.gpsLon === null) return null;
    const at = g.lookup(p.gpsLat, p.gpsLon);
    return at ? records(at, 'gps') : null;
  }

  /** A photo's places from its folders' names (once per folder and batch). */
  private fromFolderOf(g: Gazetteer, p: PlaceInput): PhotoPlaceRecord[] {
    let r = this.byDir.get(p.dir);
    if (!r) this.byDir.set(p.dir, (r = this.fromFolders(g, p)));
    return r;
  }

  /**
   * The innermost folder (from the library root's own name down) naming a place. A name that
   * stands for several places is settled by, in order: the one place of them where the library
   * has photos (a folder "朝阳" in a library with GPS photos in Beijing's 朝阳区), the one place
   * it fully names (西安 → 西安市, not the two 西安区), else only what they all share (the country).
   */
  private fromFolders(g: Gazetteer, p: PlaceInput): PhotoPlaceRecord[] {
    const below = path.relative(path.dirname(p.root), p.dir);
    if (!below || below.startsWith('..')) return [];
    const matcher = (this.folderNames ??= PlaceNameMatcher.fromGazetteer(g));
    const first = placesInFolder(matcher, below)[0];
    if (!first) return [];
    const inLibrary = first.places.filter((place) => this.known.has(place.id));
    const chosen = inLibrary.length === 1 ? inLibrary : first.strongPlaces.length === 1 ? first.strongPlaces : first.places;
    const shared = commonAncestry(chosen.map((place) => g.ancestry(place)));
    return shared ? records(shared, 'folder') : [];
  }
}

function records(at: PhotoPlace, source: PhotoPlaceRecord['source']): PhotoPlaceRecord[] {
  const out: PhotoPlaceRecord[] = [];
  LEVELS.forEach((level, i) => {
    const ref = at[level];
    if (ref) out.push({ level: i as PlaceLevelIndex, placeId: ref.id, source });
  });
  return out;
}

/** The levels every chain agrees on, from the country down (null when not even the country). */
function commonAncestry(chains: PhotoPlace[]): PhotoPlace | null {
  const [first, ...rest] = chains;
  if (!first) return null;
  const out: PhotoPlace = { country: first.country, province: null, city: null, district: null };
  if (rest.some((c) => c.country.id !== first.country.id)) return null;
  for (const level of ['province', 'city', 'district'] as const) {
    const ref = first[level];
    if (!ref || rest.some((c) => c[level]?.id !== ref.id)) break;
    out[level] = ref;
  }
  return out;
}
