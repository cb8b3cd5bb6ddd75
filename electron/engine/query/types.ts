/**
 * What a query says besides what the photo shows: when, where, what kind of file, which camera.
 * parse-query.ts produces it; search turns it into the photo filter and searches the remainder.
 */

export interface HourRange {
  /** Local hours [from, to): 18–24 for 晚上; from > to crosses midnight (深夜: 22–3). */
  from: number;
  to: number;
}

export interface TimeReading {
  /** Unix ms, inclusive, in the zone the query was parsed in; null when only hours were said (晚上拍的). */
  start: number | null;
  /** Unix ms, exclusive. */
  end: number | null;
  /** How the person said it (前年冬天, 2019年5月1日): what a chip shows. */
  label: string;
  hours?: HourRange;
  /** Days of the week, ISO numbers (1 Monday … 7 Sunday), every week: 周末 is [6, 7], 工作日 [1…5]. */
  weekdays?: number[];
  /** A month and day of every year (那年今日: today's, with `end` at today's start). */
  monthDay?: { month: number; day: number };
}

export interface PlaceReading {
  /** The name as written (哈尔滨, 兵马俑). */
  name: string;
  /** Gazetteer codes of every known place the name stands for (朝阳区 is in Beijing and in Changchun). */
  ids: string[];
  /** The level of each id, same order. */
  levels: ('country' | 'province' | 'city' | 'district')[];
  /** 'landmark': the name is a landmark, so it stays in the remainder for the visual search too. */
  source: 'name' | 'landmark';
}

export type KindReading = 'screenshot' | 'video' | 'photo';

export interface CameraReading {
  /** As written (iPhone, 华为). */
  name: string;
  /** EXIF Make values that mean this brand (compare case-insensitively). */
  makes: string[];
  /** A substring the EXIF Model must contain, when the query names a model line (iPhone, Redmi). */
  model?: string;
}

export interface Span {
  /** UTF-16 offsets in the original query. */
  start: number;
  end: number;
  text: string;
  what: 'time' | 'place' | 'landmark' | 'kind' | 'camera';
}

export interface ParsedQuery {
  time: TimeReading | null;
  place: PlaceReading | null;
  kind: KindReading | null;
  camera: CameraReading | null;
  /** What is left for the visual and text search; '' means "those photos, newest first". */
  remainder: string;
  spans: Span[];
}
