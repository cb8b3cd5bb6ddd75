import path from 'node:path';
import type { Command } from 'commander';
import { action, printJson, withEngine } from '../context.ts';
import { MAX_PAGE_SIZE, parseRequest, type PhotoHit, type SearchResponse } from '../../shared/api.ts';
import { isInsideRoots } from '../../shared/inside-roots.ts';
import type { Engine } from '../../engine/engine.ts';

interface SearchOpts {
  limit: string;
  folder?: string;
  after?: string;
  before?: string;
  tag?: string;
  json?: boolean;
  mode?: string;
}

/**
 * Photos of a folder that is away (an unplugged drive) are still found, marked offline: the person
 * learns the photo exists and where to plug in to open it (docs/decisions/offline.md).
 */
function printHits(res: SearchResponse, json: boolean | undefined, away: readonly string[] = []): void {
  const offline = (h: PhotoHit): boolean => isInsideRoots(h.path, away, path);
  if (json) {
    printJson(
      res.hits.map((h: PhotoHit) => ({
        path: h.path,
        score: h.score,
        id: h.id,
        takenAt: h.takenAt,
        tags: h.tags?.map((t) => t.name) ?? [],
        ...(h.matchedBy ? { matchedBy: h.matchedBy } : {}),
        ...(h.matchedText ? { matchedText: h.matchedText.text, matchedRange: [h.matchedText.start, h.matchedText.end] } : {}),
        ...(offline(h) ? { offline: true } : {}),
      })),
    );
    return;
  }
  if (res.limit) process.stderr.write(`(results stop at ${res.limit.maxResults}: ${res.limit.reason})\n`);
  if (res.hits.length === 0) process.stdout.write('no matching photos\n');
  res.hits.forEach((h, i) => {
    const tags = h.tags?.length ? `  [${h.tags.map((t) => t.name).join(' ')}]` : '';
    const why = h.matchedBy && h.matchedBy !== 'visual' ? `  ${h.matchedBy === 'both' ? 'text+visual' : 'text'}: “${h.matchedText?.text ?? ''}”` : '';
    const away = offline(h) ? '  (offline: its folder is away)' : '';
    process.stdout.write(`${String(i + 1).padStart(3)}. ${h.score.toFixed(4)}  ${h.path}${tags}${why}${away}\n`);
  });
  process.stderr.write(`(text ${res.textMs} ms, search ${res.searchMs} ms)\n`);
}

const filterOptions = (c: Command): Command =>
  c
    .option('-n, --limit <n>', 'how many results', '20')
    .option('--folder <dir>', 'only photos under this folder')
    .option('--after <date>', 'taken on or after (YYYY-MM-DD)')
    .option('--before <date>', 'taken on or before (YYYY-MM-DD)')
    .option('--tag <name>', 'only photos with this tag')
    .option('--json', 'JSON array of {path, score, …}, best first');

/**
 * --limit beyond one page (MAX_PAGE_SIZE): the pages are fetched with the cursor and joined, as
 * the app's "load more" does.
 */
async function upTo(n: number, page: (limit: number, cursor: string | undefined) => Promise<SearchResponse>): Promise<SearchResponse> {
  const first = await page(Math.min(n, MAX_PAGE_SIZE), undefined);
  const all = { ...first, hits: [...first.hits] };
  while (all.hits.length < n && all.nextCursor) {
    const next = await page(Math.min(n - all.hits.length, MAX_PAGE_SIZE), all.nextCursor);
    all.hits.push(...next.hits);
    all.nextCursor = next.nextCursor;
    all.searchMs += next.searchMs;
    if (next.limit) all.limit = next.limit;
  }
  return all;
}

/** The limit as a number (a page's schema caps it at MAX_PAGE_SIZE; upTo pages beyond). */
function wanted(opts: SearchOpts): number {
  const n = Number(opts.limit);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--limit must be a positive whole number, got ${opts.limit}`);
  return n;
}

function filters(opts: SearchOpts): { folder?: string; after?: string; before?: string; tag?: string } {
  return {
    folder: opts.folder ? path.resolve(opts.folder) : undefined,
    after: opts.after,
    before: opts.before,
    tag: opts.tag,
  };
}

const awayRoots = (engine: Engine): string[] => engine.library.offlineFolders().map((f) => f.path);

export function registerSearchCommands(program: Command): void {
  filterOptions(
    program
      .command('search')
      .description('find photos by a Chinese description, and by the text in them')
      .argument('<query>', '查询, e.g. "海边的日落" or "营业时间"')
      .option('--mode <mode>', 'all: text in photos and looks in one list; visual: looks only; text: text only', 'all'),
  ).action(
    action(async (query: string, opts: SearchOpts, cmd: Command) => {
      const n = wanted(opts);
      const req = parseRequest('search', { query, limit: Math.min(n, MAX_PAGE_SIZE), mode: opts.mode, ...filters(opts) });
      await withEngine(cmd, { autoTag: false }, async (engine) => {
        // Load the text tower first so the reported timings are the query's, not start-up's.
        await engine.model.warm('text');
        printHits(await upTo(n, (limit, cursor) => engine.search.text(req.query, limit, req, cursor, req.mode)), opts.json, awayRoots(engine));
      });
    }),
  );

  filterOptions(program.command('similar').description('photos that look like PHOTO (indexed or any image file)').argument('<photo>', 'image path')).action(
    action(async (photo: string, opts: SearchOpts, cmd: Command) => {
      const n = wanted(opts);
      const req = parseRequest('similar', { photoId: 1, limit: Math.min(n, MAX_PAGE_SIZE), ...filters(opts) });
      await withEngine(cmd, { autoTag: false }, async (engine) => {
        const row = engine.library.photoAt(photo);
        const res = await upTo(n, (limit, cursor) =>
          row && row.status === 'indexed'
            ? engine.search.similar(row.id, limit, req, cursor)
            : engine.search.similarToImage(path.resolve(photo), limit, req, cursor),
        );
        printHits(res, opts.json, awayRoots(engine));
      });
    }),
  );
}
