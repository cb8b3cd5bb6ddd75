import path from 'node:path';
import type { Command } from 'commander';
import { action, printJson, withEngine } from '../context.ts';
import { parseRequest, type PhotoHit, type SearchResponse } from '../../shared/api.ts';

interface SearchOpts {
  limit: string;
  folder?: string;
  after?: string;
  before?: string;
  tag?: string;
  json?: boolean;
}

function printHits(res: SearchResponse, json: boolean | undefined): void {
  if (json) {
    printJson(res.hits.map((h: PhotoHit) => ({ path: h.path, score: h.score, id: h.id, takenAt: h.takenAt, tags: h.tags?.map((t) => t.name) ?? [] })));
    return;
  }
  if (res.hits.length === 0) process.stdout.write('no matching photos\n');
  res.hits.forEach((h, i) => {
    const tags = h.tags?.length ? `  [${h.tags.map((t) => t.name).join(' ')}]` : '';
    process.stdout.write(`${String(i + 1).padStart(3)}. ${h.score.toFixed(4)}  ${h.path}${tags}\n`);
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

function filters(opts: SearchOpts): { folder?: string; after?: string; before?: string; tag?: string } {
  return {
    folder: opts.folder ? path.resolve(opts.folder) : undefined,
    after: opts.after,
    before: opts.before,
    tag: opts.tag,
  };
}

export function registerSearchCommands(program: Command): void {
  filterOptions(program.command('search').description('find photos by a Chinese description').argument('<query>', '查询, e.g. "海边的日落"')).action(
    action(async (query: string, opts: SearchOpts, cmd: Command) => {
      const req = parseRequest('search', { query, limit: Number(opts.limit), ...filters(opts) });
      await withEngine(cmd, { autoTag: false }, async (engine) => {
        // Load the text tower first so the reported timings are the query's, not start-up's.
        await engine.model.warm('text');
        printHits(await engine.search.text(req.query, req.limit, req), opts.json);
      });
    }),
  );

  filterOptions(program.command('similar').description('photos that look like PHOTO (indexed or any image file)').argument('<photo>', 'image path')).action(
    action(async (photo: string, opts: SearchOpts, cmd: Command) => {
      const req = parseRequest('similar', { photoId: 1, limit: Number(opts.limit), ...filters(opts) });
      await withEngine(cmd, { autoTag: false }, async (engine) => {
        const row = engine.library.photoAt(photo);
        const res =
          row && row.status === 'indexed'
            ? await engine.search.similar(row.id, req.limit, req)
            : await engine.search.similarToImage(path.resolve(photo), req.limit, req);
        printHits(res, opts.json);
      });
    }),
  );
}
