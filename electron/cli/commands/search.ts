import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { action, printJson, UsageError, withEngine } from '../context.ts';
import { MAX_PAGE_SIZE, parseRequest, PHOTO_KINDS, type PhotoFilter, type PhotoHit, type SearchResponse } from '../../shared/api.ts';
import { SEARCH_MODES } from '../../shared/contract/search.ts';
import { isInsideRoots } from '../../shared/inside-roots.ts';
import type { Engine } from '../../engine/engine.ts';
import { describeReading } from '../explain.ts';
import { t } from '../i18n.ts';

interface SearchOpts {
  limit: string;
  folder?: string;
  after?: string;
  before?: string;
  tag?: string;
  kind?: string;
  json?: boolean;
  mode?: string;
  stack?: string;
  explain?: boolean;
  literal?: boolean;
  at?: string;
  all?: boolean;
}

/** 75.5 → "1:15.5": a moment of a video as people read it. */
function clock(s: number): string {
  const m = Math.floor(s / 60);
  const rest = s - m * 60;
  return `${m}:${rest < 10 ? '0' : ''}${Number.isInteger(rest) ? rest : rest.toFixed(1)}`;
}

/**
 * Photos of a folder that is away (an unplugged drive) are still found, marked offline: the person
 * learns the photo exists and where to plug in to open it (docs/decisions/offline.md).
 */
const under = (away: readonly string[]) => (h: PhotoHit): boolean => isInsideRoots(h.path, away, path);

function jsonHits(res: SearchResponse, away: readonly string[]): unknown[] {
  const offline = under(away);
  return res.hits.map((h: PhotoHit) => ({
    path: h.path,
    score: h.score,
    id: h.id,
    takenAt: h.takenAt,
    tags: h.tags?.map((t) => t.name) ?? [],
    kind: h.kind ?? 'photo',
    stack: h.stack ?? null,
    ...(h.kind === 'video' ? { durationS: h.durationS ?? null } : {}),
    ...(h.segment ? { segment: { start: h.segment.start, end: h.segment.end }, bestTime: h.segment.bestTime } : {}),
    ...(h.relevance !== undefined ? { relevance: h.relevance, relevant: h.relevant === true } : {}),
    ...(h.matchedBy ? { matchedBy: h.matchedBy } : {}),
    ...(h.matchedText ? { matchedText: h.matchedText.text, matchedRange: [h.matchedText.start, h.matchedText.end] } : {}),
    ...(offline(h) ? { offline: true } : {}),
  }));
}

/** How many match, as the first line of a ranked list: "12 张相关照片" (and how many of them are shown). */
function relevanceLine(res: SearchResponse): string | null {
  const r = res.relevance;
  if (!r) return null;
  if (r.relevant === 0) return t('search.noneRelevant');
  const shown = res.hits.filter((h) => h.relevant).length;
  if (!r.complete) return t('search.relevantAtLeast', { n: r.relevant });
  return shown < r.relevant ? t('search.relevantShown', { n: r.relevant, shown }) : t('search.relevant', { n: r.relevant });
}

/**
 * --json: the hits as an array (the shape scripts rely on; each hit says whether it is relevant);
 * with --explain an object { parsed, relevance, hits } instead. --explain alone prints the reading
 * above the hits. A ranked list starts with how many photos match and shows relevance, the one
 * scale for text and visual matches (the cosine is in --json); weaker hits (--all) come after a line.
 */
/** `encoded`: what `textMs` timed — the query's text, or (similar) the image given; nothing for a photo of the library. */
function printHits(res: SearchResponse, json: boolean | undefined, explain: boolean | undefined, away: readonly string[], encoded: 'text' | 'image' | 'nothing' = 'text'): void {
  const offline = under(away);
  if (json) {
    printJson(explain ? { parsed: res.parsed ?? null, relevance: res.relevance ?? null, hits: jsonHits(res, away) } : jsonHits(res, away));
    return;
  }
  if (explain) process.stdout.write(describeReading(res.parsed) + '\n');
  if (res.limit) process.stderr.write(`${t('search.limit', { max: res.limit.maxResults, reason: t(`search.limit.${res.limit.reason}`) })}\n`);
  const count = relevanceLine(res);
  if (count) process.stdout.write(`${count}\n`);
  else if (res.hits.length === 0) process.stdout.write(`${t('search.none')}\n`);
  res.hits.forEach((h, i) => {
    if (h.relevant === false && (i === 0 || res.hits[i - 1]!.relevant !== false)) process.stdout.write(`${t('search.weakerHeading')}\n`);
    const tags = h.tags?.length ? `  [${h.tags.map((t) => t.name).join(' ')}]` : '';
    const why = h.matchedBy && h.matchedBy !== 'visual' ? `  ${t(h.matchedBy === 'both' ? 'search.matched.both' : 'search.matched.text')}: “${h.matchedText?.text ?? ''}”` : '';
    const gone = offline(h) ? t('search.offline') : '';
    const moment = h.segment ? `  ▶ ${clock(h.segment.start)}–${clock(h.segment.end)}` : '';
    const stack = h.stack ? `  ${t('search.stack', { size: h.stack.size, kind: t(`stack.kind.${h.stack.kind}`), id: h.stack.id })}` : '';
    const score = h.relevance !== undefined ? `${String(Math.round(h.relevance * 100)).padStart(3)}%` : h.score.toFixed(4);
    process.stdout.write(`${String(i + 1).padStart(3)}. ${score}  ${h.path}${moment}${tags}${stack}${why}${gone}\n`);
  });
  if (res.weakerCursor) process.stderr.write(`${t('search.weakerHint')}\n`);
  const timing = encoded === 'text' ? 'search.timing' : encoded === 'image' ? 'search.timingImage' : 'search.timingSearchOnly';
  process.stderr.write(`${t(timing, { textMs: res.textMs, searchMs: res.searchMs })}\n`);
}

const filterOptions = (c: Command): Command =>
  c
    .option('-n, --limit <n>', t('search.opt.limit'), '20')
    .option('--folder <dir>', t('search.opt.folder'))
    .option('--after <date>', t('search.opt.after'))
    .option('--before <date>', t('search.opt.before'))
    .option('--tag <name>', t('search.opt.tag'))
    .addOption(new Option('--kind <kind>', t('search.opt.kind')).choices(PHOTO_KINDS))
    .option('--all', t('search.opt.all'))
    .option('--stack <id|all>', t('search.opt.stack'))
    .option('--json', t('search.opt.json'));

/**
 * --limit beyond one page (MAX_PAGE_SIZE): the pages are fetched with the cursor and joined, as
 * the app's "load more" does. The list stops after the relevant hits; `weaker` (--all) goes on
 * through the weaker ones, as the app's "显示更多相关度较低的照片" does.
 */
async function upTo(n: number, weaker: boolean, page: (limit: number, cursor: string | undefined) => Promise<SearchResponse>): Promise<SearchResponse> {
  const first = await page(Math.min(n, MAX_PAGE_SIZE), undefined);
  const all: SearchResponse = { ...first, hits: [...first.hits] };
  for (;;) {
    const cursor = all.nextCursor ?? (weaker ? all.weakerCursor : undefined);
    if (all.hits.length >= n || !cursor) break;
    const next = await page(Math.min(n - all.hits.length, MAX_PAGE_SIZE), cursor);
    all.hits.push(...next.hits);
    all.nextCursor = next.nextCursor;
    if (next.weakerCursor) all.weakerCursor = next.weakerCursor;
    else if (cursor === all.weakerCursor) delete all.weakerCursor;
    all.searchMs += next.searchMs;
    if (next.limit) all.limit = next.limit;
  }
  return all;
}

/** The limit as a number (a page's schema caps it at MAX_PAGE_SIZE; upTo pages beyond). */
function wanted(opts: SearchOpts): number {
  const n = Number(opts.limit);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(t('error.positiveInt', { flag: '--limit', value: opts.limit }));
  return n;
}

/** The filter flags as the contract's photo filter (validated with the request). */
function filter(opts: SearchOpts): PhotoFilter {
  const f: PhotoFilter = {};
  if (opts.folder) f.folder = path.resolve(opts.folder);
  if (opts.after) f.after = opts.after;
  if (opts.before) f.before = opts.before;
  if (opts.tag) f.tag = opts.tag;
  if (opts.kind) f.kind = opts.kind as PhotoFilter['kind'];
  // A stack id as a number (the schema checks its range), or 'all'.
  if (opts.stack !== undefined) {
    if (opts.stack !== 'all' && !/^\d+$/.test(opts.stack)) throw new UsageError(t('search.error.stack', { value: opts.stack }));
    f.stack = (opts.stack === 'all' ? 'all' : Number(opts.stack)) as PhotoFilter['stack'];
  }
  return f;
}

const awayRoots = (engine: Engine): string[] => engine.library.offlineFolders().map((f) => f.path);

export function registerSearchCommands(program: Command): void {
  filterOptions(
    program
      .command('search')
      .description(t('search.description'))
      .argument('<query>', t('search.arg.query'))
      .addOption(new Option('--mode <mode>', t('search.opt.mode')).choices(SEARCH_MODES).default('all'))
      .option('--explain', t('search.opt.explain'))
      .option('--literal', t('search.opt.literal')),
  ).action(
    action(async (query: string, opts: SearchOpts, cmd: Command) => {
      const n = wanted(opts);
      const req = parseRequest('search', { query, limit: Math.min(n, MAX_PAGE_SIZE), mode: opts.mode, filter: filter(opts), understand: !opts.literal });
      await withEngine(cmd, { autoTag: false }, async (engine) => {
        // Load the text tower first so the reported timings are the query's, not start-up's.
        await engine.model.warm('text');
        const read = { understand: req.understand };
        printHits(await upTo(n, opts.all === true, (limit, cursor) => engine.search.text(req.query, limit, req.filter, cursor, req.mode, read)), opts.json, opts.explain, awayRoots(engine));
      });
    }),
  );

  filterOptions(
    program.command('similar').description(t('similar.description')).argument('<photo>', t('similar.arg.photo')).option('--at <seconds>', t('similar.opt.at')),
  ).action(
    action(async (photo: string, opts: SearchOpts, cmd: Command) => {
      const n = wanted(opts);
      const req = parseRequest('similar', { photoId: 1, at: opts.at === undefined ? undefined : Number(opts.at), limit: Math.min(n, MAX_PAGE_SIZE), filter: filter(opts) });
      await withEngine(cmd, { autoTag: false }, async (engine) => {
        const row = engine.library.photoAt(photo);
        // Neither a photo of the library nor a file here: say so (decoding nothing said "damaged or not an image").
        if (!row && !fs.existsSync(path.resolve(photo))) throw new Error(t('similar.error.missing', { path: path.resolve(photo) }));
        const res = await upTo(n, opts.all === true, (limit, cursor) =>
          row && row.status === 'indexed'
            ? engine.search.similar(row.id, limit, req.filter, cursor, req.at)
            : engine.search.similarToImage(path.resolve(photo), limit, req.filter, cursor),
        );
        printHits(res, opts.json, false, awayRoots(engine), row && row.status === 'indexed' ? 'nothing' : 'image');
      });
    }),
  );
}
