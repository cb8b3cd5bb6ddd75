/**
 * What the open-time damage check costs at 100k photos (store/integrity.ts), to choose what runs
 * at every open: a library of 100k photos in 10 folders with 512-d vectors and 3 tags each, then
 * the time of a plain open, of the open-time check (header + quick_check of the core tables), of
 * a whole-file quick_check and of integrity_check. The page cache is warm (the file was just
 * written), as it is for a library in daily use; a cold disk is slower for all of them alike.
 *
 * Run: BENCH_ONLY=integrity npm run bench  (or alone: npx tsx test/bench/integrity.bench.ts)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openLibrary } from '../../electron/engine/store/library.ts';
import { coreTablesProblem, fullQuickCheck, headerProblem } from '../../electron/engine/store/integrity.ts';

const PHOTOS = Number(process.env.BENCH_VECTORS ?? 100_000);
const DIM = 512;

const ms = (t0: number): number => Math.round((performance.now() - t0) * 10) / 10;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchIntegrity(): Promise<Record<string, unknown>> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-bench-integrity-'));
  const file = path.join(tmp, 'lib.db');
  try {
    const lib = openLibrary(file);
    const model = lib.models.ensure('bench-512', DIM);
    const vectors = lib.vectors(model);
    const tagIds = Array.from({ length: 50 }, (_, i) => lib.tags.upsertTag({ name: `标签${i}`, nameEn: null, family: 'bench', synonyms: [], custom: false }));
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5;
    const roots = Array.from({ length: 10 }, (_, i) => lib.folders.add(path.join(tmp, `album-${i}`)));
    const t0 = performance.now();
    for (let base = 0; base < PHOTOS; base += 5000) {
      lib.transaction(() => {
        for (let i = base; i < Math.min(PHOTOS, base + 5000); i++) {
          const folder = roots[i % roots.length];
          const { row } = lib.photos.upsertDiscovered({ path: path.join(folder.path, `IMG_${i}.jpg`), folderId: folder.id, size: 1000 + i, mtimeMs: 1.6e12 + i * 1000 });
          lib.photos.setHash(row.id, `${i}`.padStart(64, '0'));
          lib.photos.markIndexed(row.id, { width: 4000, height: 3000, takenAt: 1.6e12 + i * 1000, takenAtSource: 'exif', cameraMake: 'Bench', cameraModel: 'One', gpsLat: null, gpsLon: null });
          const v = new Float32Array(DIM);
          for (let d = 0; d < DIM; d++) v[d] = rand();
          vectors.upsert(row.id, v);
          lib.tags.replacePhotoTags(row.id, [0, 1, 2].map((k) => ({ tagId: tagIds[(i + k * 7) % tagIds.length], score: 0.5 })));
        }
      });
    }
    const buildSeconds = ms(t0) / 1000;
    lib.close();
    const bytes = fs.statSync(file).size;

    const plainOpen: number[] = [];
    const header: number[] = [];
    const core: number[] = [];
    const whole: number[] = [];
    for (let i = 0; i < 3; i++) {
      let t = performance.now();
      const l = openLibrary(file);
      plainOpen.push(ms(t));
      const sql = (l.db as unknown as { sql: Parameters<typeof coreTablesProblem>[0] }).sql;
      t = performance.now();
      headerProblem(file);
      header.push(ms(t));
      t = performance.now();
      if (coreTablesProblem(sql) !== null) throw new Error('bench library reported damaged');
      core.push(ms(t));
      t = performance.now();
      fullQuickCheck(sql);
      whole.push(ms(t));
      l.close();
    }
    const l = openLibrary(file);
    const sql = (l.db as unknown as { sql: Parameters<typeof coreTablesProblem>[0] }).sql;
    const t = performance.now();
    sql.pragma('integrity_check');
    const integrityMs = ms(t);
    l.close();
    return {
      photos: PHOTOS,
      dim: DIM,
      fileMiB: Math.round((bytes / 2 ** 20) * 10) / 10,
      buildSeconds,
      // openLibrary includes the open-time check; the parts are measured again separately.
      openWithCheckMs: median(plainOpen),
      headerCheckMs: median(header),
      coreTablesQuickCheckMs: median(core),
      wholeFileQuickCheckMs: median(whole),
      integrityCheckMs: integrityMs,
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(JSON.stringify(await benchIntegrity(), null, 2) + '\n');
}
