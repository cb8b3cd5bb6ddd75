/**
 * Query understanding: a Chinese search sentence → when (a local time range, optionally hours of
 * the day), where (places the library knows), what kind of file, which camera, and the remainder
 * for the visual and text search. "去年冬天在哈尔滨看冰雕的照片" → time = winter 2025/26, place =
 * 哈尔滨, remainder = 冰雕. No I/O: places come from the caller's `places` matcher (built from the
 * library's own places, places/place-names.ts), so a word that is a place name elsewhere (朝阳) is
 * only a place when the library has photos there.
 *
 * Order: places first (longest names), then kind and camera, then time on what is left, then the
 * particles around what remains (在, 的, 拍的, 时候, 照片…).
 */
import { normaliseWithOrigins } from '../ocr/normalise-text.ts';
import type { NameMatch } from '../places/place-names.ts';
import { Calendar } from './calendar.ts';
import { findCamera, findKind } from './kind-camera.ts';
import { findTimeRuns, RANGE_JOINER } from './time-atoms.ts';
import { resolveRange, resolveRun, toMs } from './time-resolve.ts';
import type { ParsedQuery, PlaceReading, Span, TimeReading } from './types.ts';

/** What the parser needs of the library's places: PlaceNameMatcher provides it. */
export interface KnownPlaces {
  matchAll(text: string): NameMatch[];
}

export interface ParseOptions {
  /** The moment relative times count from (Unix ms); default: now. */
  now?: number;
  /** IANA zone of the days (default: this machine's, as EXIF dates are stored — calendar.ts). */
  timeZone?: string;
  places?: KnownPlaces | null;
  /**
   * Ranges of the query (UTF-16 offsets, end exclusive) to take as plain words: nothing in them is
   * read as a time, place, kind or camera, and they stay in the remainder. The UI's chip removal.
   */
  plain?: readonly { start: number; end: number }[];
}

const calendars = new Map<string, Calendar>();
function calendarFor(zone: string | undefined): Calendar {
  const key = zone ?? '';
  let c = calendars.get(key);
  if (!c) {
    c = new Calendar(zone);
    calendars.set(key, c);
  }
  return c;
}

/**
 * A weak place name (白云, 和平: a district's short name that is also a word) counts right after a
 * word of place (在白云, 去和平) or when nothing but particles follows it (朝阳的照片, 朝阳拍的),
 * not inside other words (蓝天白云, 朝阳下的海).
 */
const LOCATIVE_BEFORE = /(?:在|去|到|从|于|来|回)$/;
const PLACE_ONLY_AFTER = /^(?:拍的|拍摄的|拍|的照片|照片|的相片|的视频|玩|旅游|旅行|出差|之旅)?(?:照片|相片|图片|视频)?$/;

const LEADING = /^(?:玩的时候|玩的|旅游的时候|旅行的时候|出差的时候|的|在|于|是|去|到|从|回|来|用|拿|拍摄的|拍摄|拍的|拍|那些|那个|那张|那天|那次|那年|一些|所有的|所有|全部的|全部|我们的|我们|我的|我|帮我找|帮我|找一下|找找|找|给我|看看|搜索|搜|有关|关于|和|跟|与|及|还有|或者|或|时候|时|期间|之后|之前|以后|以前|左右|前后|照片|相片|图片|相册|的时候|几张|张)+/;
const TRAILING = /(?:的|了|吗|呢|吧|啊|呀|的时候|时候|时|期间|那天|那会儿|那年|里面|里|中|拍摄的|拍摄|拍的照|拍的|照的|照片|相片|图片|相册|素材|那些|全部|所有|一下|左右|前后|几张|张|去|玩)+$/;
const LEADING_VERB = /^(?:看|逛|游)(?=..|$)/;

/**
 * A time left open on one side (2020年以前, 2019年以后, 去年以来, 春节前). Before is strictly before
 * the time begins — 2020年以前 listing 2020's photos first would contradict the person; since and
 * after include it (2019年以后 is said of things that began in 2019; a filter too narrow loses the
 * photo). A bare 前/后 only where no word goes on (春节前的, not 2020年前往); 起 not in 起床, 起来.
 */
const OPEN_AFTER = /^(?:以前|之前|以后|之后|以来|起(?![床来身飞舞])|开始|前(?=$|[的拍照,，、 ])|后(?=$|[的拍照,，、 ]))/;
const BEFORE = /^(?:以前|之前|前)$/;

export function parseQuery(query: string, opts: ParseOptions = {}): ParsedQuery {
  const now = opts.now ?? Date.now();
  const cal = calendarFor(opts.timeZone);
  const { text, originOf } = normalise(query);
  const consumed = new Uint8Array(text.length); // 1: understood (not for the search), 2: landmark (kept)
  const plain = plainMask(originOf, opts.plain);
  const blocked = (i: number): boolean => consumed[i] !== 0 || plain[i] === 1;
  const free = (s: number, e: number): boolean => {
    for (let i = s; i < e; i++) if (blocked(i)) return false;
    return true;
  };
  const spans: Span[] = [];
  const originalSpan = (s: number, e: number): { start: number; end: number; text: string } => {
    const start = originOf[s];
    const end = originOf[e - 1] + (query.codePointAt(originOf[e - 1])! > 0xffff ? 2 : 1);
    return { start, end, text: query.slice(start, end) };
  };
  const take = (s: number, e: number, what: Span['what']): void => {
    consumed.fill(what === 'landmark' ? 2 : 1, s, e);
    spans.push({ ...originalSpan(s, e), what });
  };

  // Where.
  let place = null as PlaceReading | null;
  for (const m of opts.places?.matchAll(text) ?? []) {
    if (m.weak && !LOCATIVE_BEFORE.test(text.slice(0, m.start)) && !PLACE_ONLY_AFTER.test(text.slice(m.end))) continue;
    if (!free(m.start, m.end)) continue;
    take(m.start, m.end, m.landmark ? 'landmark' : 'place');
    const levels = m.places.map((p) => p.level);
    if (!place) place = { name: m.text, ids: m.places.map((p) => p.id), levels, source: m.landmark ? 'landmark' : 'name' };
    else {
      const known: PlaceReading = place;
      for (const p of m.places) {
        if (known.ids.includes(p.id)) continue;
        known.ids.push(p.id);
        known.levels.push(p.level);
      }
      if (!m.landmark && known.source === 'landmark') {
        known.name = m.text;
        known.source = 'name';
      }
    }
  }

  // What kind of file, which camera.
  const kindFound = findKind(text);
  let kind: ParsedQuery['kind'] = null;
  if (kindFound && free(kindFound.start, kindFound.end)) {
    kind = kindFound.kind;
    take(kindFound.start, kindFound.end, 'kind');
  }
  const cameraFound = findCamera(text, blocked);
  let camera: ParsedQuery['camera'] = null;
  if (cameraFound && free(cameraFound.start, cameraFound.end)) {
    camera = cameraFound.camera;
    const device = /^(?:手机|相机)/.exec(text.slice(cameraFound.end));
    const end = cameraFound.end + (device?.[0].length ?? 0);
    take(cameraFound.start, free(cameraFound.end, end) ? end : cameraFound.end, 'camera');
  }

  // When: the first expression that means a time; any others are understood too, and dropped.
  // Two joined by 到/至 (三月到五月) are one range.
  let time: TimeReading | null = null;
  const today = cal.ymdOf(now);
  const runs = findTimeRuns(text, today.y, blocked);
  for (let k = 0; k < runs.length; k++) {
    const run = runs[k];
    const next = runs[k + 1];
    const s = run[0].start;
    let e = run.at(-1)!.end;
    let resolved = next && RANGE_JOINER.test(text.slice(e, next[0].start)) && free(e, next[0].start) ? resolveRange(run, next, now, cal) : null;
    if (resolved) {
      e = next!.at(-1)!.end;
      k++;
    } else resolved = resolveRun(run, now, cal);
    // 2020年以前, 2019年以后, 去年以来: open on one side.
    const open = resolved?.days ? OPEN_AFTER.exec(text.slice(e)) : null;
    const side = open && free(e, e + open[0].length) ? (BEFORE.test(open[0]) ? 'before' : 'since') : null;
    if (side) e += open![0].length;
    take(s, e, 'time');
    if (time || !resolved) continue;
    let range: { start: number | null; end: number | null } | null = resolved.days
      ? toMs(resolved.days, cal)
      : resolved.monthDay
        ? { start: null, end: toMs({ first: today, last: today }, cal).start }
        : null;
    if (range && side === 'before') range = { start: null, end: range.start };
    if (range && side === 'since') range = { start: range.start, end: null };
    time = {
      start: range?.start ?? null,
      end: range?.end ?? null,
      label: originalSpan(s, e).text,
      ...(resolved.hours ? { hours: resolved.hours } : {}),
      ...(resolved.weekdays ? { weekdays: resolved.weekdays } : {}),
      ...(resolved.monthDay ? { monthDay: resolved.monthDay } : {}),
    };
  }

  spans.sort((a, b) => a.start - b.start);
  // Pieces kept as plain words are pieces of their own, whole, like landmarks (哈尔滨 | 看冰雕 → 哈尔滨 冰雕).
  plain.forEach((v, i) => {
    if (v === 1 && consumed[i] === 0) consumed[i] = 2;
  });
  return { time, place, kind, camera, remainder: remainderOf(query, text, originOf, consumed), spans };
}

/** 1 for each normalised character whose original lies in a plain range. */
function plainMask(originOf: readonly number[], ranges: ParseOptions['plain']): Uint8Array {
  const mask = new Uint8Array(originOf.length);
  if (!ranges?.length) return mask;
  originOf.forEach((o, i) => {
    if (ranges.some((r) => o >= r.start && o < r.end)) mask[i] = 1;
  });
  return mask;
}

/** The query's normal form (ocr/normalise-text.ts), with whitespace kept as one separator. */
function normalise(query: string): { text: string; originOf: number[] } {
  let text = '';
  const originOf: number[] = [];
  const re = /\S+/g;
  for (let m = re.exec(query); m; m = re.exec(query)) {
    const n = normaliseWithOrigins(m[0]);
    if (!n.text) continue;
    if (text) {
      text += ' ';
      originOf.push(m.index - 1);
    }
    text += n.text;
    for (const o of n.originOf) originOf.push(m.index + o);
  }
  return { text, originOf };
}

/** What the search still needs: the pieces between understood spans, without their particles. */
function remainderOf(query: string, text: string, originOf: number[], consumed: Uint8Array): string {
  const pieces: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (consumed[i] === 1 || text[i] === ' ') {
      i++;
      continue;
    }
    let j = i;
    if (consumed[i] === 2) {
      // A landmark is a piece of its own, kept whole.
      while (j < text.length && consumed[j] === 2) j++;
      pieces.push(query.slice(originOf[i], originOf[j - 1] + (query.codePointAt(originOf[j - 1])! > 0xffff ? 2 : 1)));
      i = j;
      continue;
    }
    while (j < text.length && consumed[j] === 0 && text[j] !== ' ') j++;
    // Strip particles on the normalised piece, then cut the same characters from the original.
    const piece = text.slice(i, j);
    const lead = (LEADING.exec(piece)?.[0].length ?? 0);
    let core = piece.slice(lead);
    const verb = LEADING_VERB.exec(core)?.[0].length ?? 0;
    core = core.slice(verb);
    const trail = TRAILING.exec(core)?.[0].length ?? 0;
    const a = i + lead + verb;
    const b = j - trail;
    if (b > a) pieces.push(query.slice(originOf[a], originOf[b - 1] + (query.codePointAt(originOf[b - 1])! > 0xffff ? 2 : 1)));
    i = j;
  }
  return pieces.join(' ').trim();
}
