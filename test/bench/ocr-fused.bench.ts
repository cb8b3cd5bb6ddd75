/**
 * What fusing the text in photos into text queries costs, at BENCH_OCR_PHOTOS photos (default
 * 100k; CLIP-like vectors from the search bench's dataset, text for 30 % of the photos from
 * scripts/fixtures/ocr-text.ts). First pages of UI_PAGE_SIZE, interleaved, through SearchService
 * (query vectors are given, so text encoding is left out):
 *
 *   visual           mode 'visual' (what a text query cost before OCR)
 *   allNoTextMatch   mode 'all' for queries no photo's text holds (the visual list as it is)
 *   allTextMatch     mode 'all' for 2–4 character pieces of stored text (fusion with the top 1000)
 *   textOnly         mode 'text' for the same pieces
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UI_PAGE_SIZE } from '../../electron/shared/paging.ts';
import { normaliseText } from '../../electron/engine/ocr/normalise-text.ts';
import { OcrService } from '../../electron/engine/ocr/ocr-service.ts';
import { SearchService } from '../../electron/engine/search/search-service.ts';
import { VectorSearch } from '../../electron/engine/search/vector-search.ts';
import { openLibrary } from '../../electron/engine/store/library.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { libraryText, seeded } from '../../scripts/fixtures/ocr-text.ts';
import { openDataset } from './search/dataset.ts';

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 100) / 100;
};
const stat = (xs: number[]): { p50: number; p95: number } => ({ p50: pct(xs, 50), p95: pct(xs, 95) });

export async function benchFusedQuery(n: number, log: (m: string) => void): Promise<Record<string, unknown>> {
  const d = openDataset(n, 'clip-like', 20);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-fused-'));
  const file = path.join(tmp, 'lib.db');
  d.lib.db.sql.pragma('wal_checkpoint(TRUNCATE)');
  fs.copyFileSync(d.dbFile, file);
  const queries = d.queries;
  d.close();
  const lib = openLibrary(file);
  try {
    const rand = seeded(17);
    const ids = lib.db.sql.prepare(`SELECT id, hash FROM photos WHERE status = 'indexed' ORDER BY id`).all() as { id: number; hash: string | null }[];
    const texts: string[] = [];
    const box: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [1, 0], [1, 1], [0, 1]];
    for (let base = 0; base < ids.length; base += 5000) {
      lib.transaction(() => {
        for (const p of ids.slice(base, base + 5000)) {
          const lines = libraryText(rand) ?? [];
          if (lines.length) texts.push(normaliseText(lines.join('')));
          lib.ocrText.saveRead(p.id, { engine: 'pp-ocrv4-ch', photoHash: p.hash, lines: lines.map((text) => ({ text, confidence: 0.95, box })), norm: normaliseText(lines.join('')) });
        }
      });
    }
    const vectors = new VectorSearch(lib.vectors(lib.models.active()!), lib.vectorLog);
    vectors.open();
    await vectors.whenIdle();
    const ocr = new OcrService(lib, { enabled: () => true, session: {}, log: createLogger('bench', 'warn') });
    let next: Float32Array = queries[0]!;
    const embedder = { preprocessSpec: { resolution: 224, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number], resize: 'bicubic' as const }, embedTexts: async () => [next], embedImageTensors: async () => [next] };
    const search = new SearchService(lib, () => ({ embedder, vectors }), ocr.matcher());
    const qrand = seeded(23);
    const piece = (): string => {
      for (;;) {
        const c = [...texts[Math.floor(qrand() * texts.length)]!];
        const len = 2 + Math.floor(qrand() * 3);
        if (c.length < len) continue;
        const at = Math.floor(qrand() * (c.length - len + 1));
        const q = c.slice(at, at + len).join('');
        if (/\p{Script=Han}/u.test(q)) return q;
      }
    };
    const noMatch = ['海边的日落', '穿汉服的女孩', '一只橘猫在睡觉', '雪山下的湖', '夜晚的城市灯光'];
    const t: Record<string, number[]> = { visual: [], allNoTextMatch: [], allTextMatch: [], textOnly: [] };
    const time = async (name: string, q: string, mode: 'all' | 'visual' | 'text', i: number): Promise<void> => {
      next = queries[i % queries.length]!;
      const t0 = performance.now();
      await search.text(q, UI_PAGE_SIZE, {}, undefined, mode);
      t[name]!.push(performance.now() - t0);
    };
    await time('visual', noMatch[0]!, 'visual', 0); // warm-up
    for (let i = 0; i < 40; i++) {
      const p = piece();
      await time('visual', noMatch[i % noMatch.length]!, 'visual', i);
      await time('allNoTextMatch', noMatch[i % noMatch.length]!, 'all', i);
      await time('allTextMatch', p, 'all', i);
      await time('textOnly', p, 'text', i);
    }
    await vectors.close();
    const out = { photos: ids.length, photosWithText: texts.length, pageSize: UI_PAGE_SIZE, firstPageMs: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, stat(v)])) };
    log(`ocr fused query: ${JSON.stringify(out)}`);
    return out;
  } finally {
    lib.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
