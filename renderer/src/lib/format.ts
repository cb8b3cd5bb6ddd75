/** Number, size, time and score formatting for both UI languages. Pure (Intl only), unit-tested. */
import type { Lang } from './messages.ts';

export function formatCount(n: number, lang: Lang): string {
  return new Intl.NumberFormat(lang).format(n);
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1024-based, one decimal from KB up, as file managers show it. */
export function formatBytes(bytes: number, lang: Lang): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const digits = u === 0 ? 0 : 1;
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v)} ${UNITS[u]}`;
}

/** Coarse human duration: "1 小时 5 分" / "3 min 20 s"; at most two units, seconds only under an hour. */
export function formatDuration(totalSeconds: number, lang: Lang): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const zh = lang === 'zh-CN';
  const unit = { h: zh ? '小时' : 'h', m: zh ? '分' : 'min', s: zh ? '秒' : 's' };
  if (h > 0) return m > 0 ? `${h} ${unit.h} ${m} ${unit.m}` : `${h} ${unit.h}`;
  if (m > 0) return sec > 0 ? `${m} ${unit.m} ${sec} ${unit.s}` : `${m} ${unit.m}`;
  return `${sec} ${unit.s}`;
}

/**
 * Time left for work that remains: "about 0 s" is never said — a part of a second left reads as
 * 1 s (the engine rounds up too: engine/util/progress.ts).
 */
export function formatEta(seconds: number, lang: Lang): string {
  return formatDuration(Math.max(1, Math.ceil(seconds)), lang);
}

export function formatRate(perSecond: number, lang: Lang): string {
  const digits = perSecond < 10 ? 1 : 0;
  return new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(perSecond);
}

/** A moment or length of a video as players show it: "0:07", "12:05", "1:02:03" (seconds rounded down). */
export function formatClock(totalSeconds: number | null | undefined): string {
  const s = Math.max(0, Math.floor(Number.isFinite(totalSeconds) ? totalSeconds! : 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** A video moment as a tile shows it: "0:03–0:07", or one time when both ends read the same (a clip under a second). */
export function momentText(start: number, end: number): string {
  const from = formatClock(start);
  const to = formatClock(end);
  return from === to ? from : `${from}–${to}`;
}

/** Cosine similarity, two decimals ("0.31"); the same in both languages so labels are stable. */
export function formatScore(score: number): string {
  return score.toFixed(2);
}

/** 0–100, integer, never NaN; 100 only when truly done so the bar does not claim completion early. */
export function progressPercent(done: number, total: number): number {
  if (total <= 0) return 0;
  if (done >= total) return 100;
  return Math.min(99, Math.floor((done / total) * 100));
}

/**
 * EXIF times usually carry no zone ("2024-05-01T10:00:00"): show them as written rather than
 * shifting them through the viewer's time zone.
 */
export function formatTakenAt(iso: string | null, lang: Lang): string | null {
  if (!iso) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(iso);
  if (!m) return iso;
  const [, y, mo, d, hh, mm] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(hh ?? 0), Number(mm ?? 0)));
  const opts: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' };
  if (hh !== undefined) Object.assign(opts, { hour: '2-digit', minute: '2-digit', hour12: false });
  return new Intl.DateTimeFormat(lang, opts).format(date);
}

/** The last path segment, for either separator (folders can come from Windows or POSIX). */
export function baseName(p: string): string {
  const trimmed = p.replace(/[\\/]+$/, '');
  const i = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return i >= 0 ? trimmed.slice(i + 1) || trimmed : trimmed;
}
