/**
 * The library's places as people see them: the Places view's tree (country → province → city with
 * photo counts and a cover), and the query parser's known places — a name matcher over the places
 * where the library has photos (and their ancestors), rebuilt when that set changes. The
 * gazetteer is loaded on first need, so commands that never look at places never pay for it.
 */
import type { PhotoFilter, PhotoPlace, PlaceLevel, PlaceSummary } from '../../shared/api.ts';
import { isEmptyFilter } from '../../shared/api.ts';
import { resolvePhotoFilter } from '../library/photo-filter.ts';
import type { Library } from '../store/library.ts';
import type { PlaceCount } from '../store/photo-places.ts';
import { Gazetteer, type PlaceEntry } from './gazetteer.ts';
import { PlaceNameMatcher } from './place-names.ts';

/** Levels the Places view lists (districts are too fine for it; a city's page lists them). */
const TREE_DEPTH = 3;

export class PlacesService {
  private gazetteer: Gazetteer | null = null;
  private known: { key: string; matcher: PlaceNameMatcher | null } | null = null;

  constructor(
    private readonly lib: Library,
    private readonly gazetteerFile?: string,
  ) {}

  private g(): Gazetteer {
    return (this.gazetteer ??= Gazetteer.load(this.gazetteerFile));
  }

  /**
   * A matcher over the names of the places the library has photos at (and their ancestors), or
   * null while it has none. The set is read each time (a few hundred rows); the matcher is rebuilt
   * only when it changed.
   */
  knownPlaces(): PlaceNameMatcher | null {
    const ids = this.lib.places.knownPlaceIds();
    const key = ids.join(',');
    if (this.known?.key !== key) this.known = { key, matcher: ids.length > 0 ? PlaceNameMatcher.fromGazetteer(this.g(), ids) : null };
    return this.known.matcher;
  }

  /** A place's level and display name (null for an id this gazetteer does not know). */
  describe(id: string): { id: string; level: PlaceLevel; name: string } | null {
    const p = this.g().byId(id);
    return p ? { id: p.id, level: p.level, name: p.name } : null;
  }

  /** Where a photo was taken, coarse to fine (places the gazetteer no longer knows are left out). */
  ofPhoto(photoId: number): PhotoPlace[] {
    return this.lib.places.ofPhoto(photoId).flatMap((r) => {
      const p = this.describe(r.placeId);
      return p ? [{ ...p, fromFolder: r.source === 'folder' }] : [];
    });
  }

  /**
   * The places the filter's photos were taken at, coarse to fine, most photos first at each
   * level, `depth` levels deep (3: to cities; 4: to districts).
   */
  tree(filter: PhotoFilter = {}, depth = TREE_DEPTH): PlaceSummary[] {
    const counts = isEmptyFilter(filter) ? this.lib.places.counts() : this.lib.places.counts(this.lib.filters.where(resolvePhotoFilter(filter)));
    if (counts.length === 0) return [];
    const g = this.g();
    const nodes = new Map<string, { entry: PlaceEntry; node: PlaceSummary }>();
    for (const c of counts) {
      const entry = g.byId(c.placeId);
      if (!entry || c.level >= depth) continue;
      nodes.set(c.placeId, { entry, node: summary(entry, c) });
    }
    const roots: PlaceSummary[] = [];
    for (const { entry, node } of nodes.values()) {
      const parent = nearestListedAncestor(g, entry, nodes);
      (parent ? parent.children : roots).push(node);
    }
    sortTree(roots);
    return roots;
  }
}

function summary(entry: PlaceEntry, c: PlaceCount): PlaceSummary {
  return { id: entry.id, name: entry.name, level: entry.level, photos: c.photos, cover: c.cover, children: [] };
}

function nearestListedAncestor(g: Gazetteer, entry: PlaceEntry, nodes: Map<string, { node: PlaceSummary }>): PlaceSummary | null {
  for (let p = entry.parent >= 0 ? g.places[entry.parent] : undefined; p; p = p.parent >= 0 ? g.places[p.parent] : undefined) {
    const n = nodes.get(p.id);
    if (n) return n.node;
  }
  return null;
}

function sortTree(list: PlaceSummary[]): void {
  list.sort((a, b) => b.photos - a.photos || a.name.localeCompare(b.name, 'zh-CN'));
  for (const n of list) sortTree(n.children);
}
