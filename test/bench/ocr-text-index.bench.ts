/**
 * Which full-text index suits recognised Chinese text: the contenders are built side by side over
 * the same synthetic library (scripts/fixtures/ocr-text.ts: 30 % of photos with text — chat
 * screenshots, signs, receipts, labels) and measured in the same run:
 *
 *   trigram      FTS5 trigram tokenizer (detail=full), external content; < 3 characters: scan
 *   trigram+bi   the same, plus a bigram FTS5 table (detail=none) for 2-character queries
 *   trigram-none FTS5 trigram with detail=none (smaller), every hit verified with instr()
 *   jieba        word segmentation (@node-rs/jieba, search mode) into an FTS5 unicode61 table
 *
 * Reported: on-disk size per 1k photos, recall of 2/3/4-character substrings of the stored text
 * (does the photo the substring was taken from come back?), query p50/p95. Uses better-sqlite3
 * directly: these are experiments around the store, not the store.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { libraryText, seeded } from '../../scripts/fixtures/ocr-text.ts';
import { normaliseText } from '../../electron/engine/ocr/normalise-text.ts';

interface Contender {
  name: string;
  setup(db: Database.Database): void;
  insert(db: Database.Database, id: number, norm: string): void;
  /** Photo ids whose text contains q (normalised). */
  query(db: Database.Database, q: string): number[];
}

const phrase = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const bigrams = (s: string): string[] => {
  const c = [...s];
  const out = new Set<string>();
  for (let i = 0; i + 1 < c.length; i++) out.add(c[i] + c[i + 1]);
  return [...out];
};
// unicode61 keeps letters and digits as token characters; bigram tokens are written as hex code
// points so punctuation inside a bigram survives tokenisation.
const gramToken = (g: string): string => 'g' + [...g].map((c) => c.codePointAt(0)!.toString(16)).join('x');

const base = (db: Database.Database): void => {
  db.exec(`CREATE TABLE ocr_text (photo_id INTEGER PRIMARY KEY, norm TEXT NOT NULL) STRICT;`);
};
const scan = (db: Database.Database, q: string): number[] =>
  (db.prepare('SELECT photo_id AS id FROM ocr_text WHERE instr(norm, ?) > 0').all(q) as { id: number }[]).map((r) => r.id);

function trigram(detail: 'full' | 'none', withBigrams: boolean): Contender {
  return {
    name: detail === 'none' ? 'trigram-none' : withBigrams ? 'trigram+bi' : 'trigram',
    setup(db) {
      base(db);
      db.exec(`CREATE VIRTUAL TABLE ocr_fts USING fts5(norm, content='ocr_text', content_rowid='photo_id', tokenize='trigram', detail=${detail});`);
      if (withBigrams) db.exec(`CREATE VIRTUAL TABLE ocr_bi USING fts5(grams, content='', detail=none, tokenize='unicode61');`);
    },
    insert(db, id, norm) {
      db.prepare('INSERT INTO ocr_text(photo_id, norm) VALUES (?, ?)').run(id, norm);
      db.prepare('INSERT INTO ocr_fts(rowid, norm) VALUES (?, ?)').run(id, norm);
      if (withBigrams) db.prepare('INSERT INTO ocr_bi(rowid, grams) VALUES (?, ?)').run(id, bigrams(norm).map(gramToken).join(' '));
    },
    query(db, q) {
      const n = [...q].length;
      if (n >= 3) {
        const sql =
          detail === 'full'
            ? 'SELECT rowid AS id FROM ocr_fts WHERE ocr_fts MATCH ?'
            : 'SELECT t.photo_id AS id FROM ocr_fts f JOIN ocr_text t ON t.photo_id = f.rowid WHERE ocr_fts MATCH ? AND instr(t.norm, ?) > 0';
        // detail=none cannot run phrase queries: AND the query's trigrams, then verify.
        const c = [...q];
        const grams = c.slice(0, c.length - 2).map((_, i) => phrase(c.slice(i, i + 3).join(''))).join(' AND ');
        const rows = (detail === 'full' ? db.prepare(sql).all(phrase(q)) : db.prepare(sql).all(grams, q)) as { id: number }[];
        return rows.map((r) => r.id);
      }
      if (n === 2 && withBigrams) return (db.prepare('SELECT rowid AS id FROM ocr_bi WHERE ocr_bi MATCH ?').all(gramToken(q)) as { id: number }[]).map((r) => r.id);
      return scan(db, q);
    },
  };
}

async function jiebaContender(): Promise<Contender | null> {
  let cut: (s: string) => string[];
  try {
    const { Jieba } = await import('@node-rs/jieba');
    const { dict } = await import('@node-rs/jieba/dict.js');
    const j = Jieba.withDict(dict);
    cut = (s) => j.cutForSearch(s, true);
  } catch {
    return null;
  }
  const tokens = (s: string): string[] => cut(s).filter((t) => /[\p{L}\p{N}]/u.test(t)).map((t) => t.toLowerCase());
  return {
    name: 'jieba',
    setup(db) {
      base(db);
      db.exec(`CREATE VIRTUAL TABLE ocr_fts USING fts5(words, content='', tokenize='unicode61');`);
    },
    insert(db, id, norm) {
      db.prepare('INSERT INTO ocr_text(photo_id, norm) VALUES (?, ?)').run(id, norm);
      db.prepare('INSERT INTO ocr_fts(rowid, words) VALUES (?, ?)').run(id, tokens(norm).join(' '));
    },
    query(db, q) {
      const t = tokens(q);
      if (t.length === 0) return [];
      return (db.prepare('SELECT rowid AS id FROM ocr_fts WHERE ocr_fts MATCH ?').all(t.map(phrase).join(' AND ')) as { id: number }[]).map((r) => r.id);
    },
  };
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 100) / 100;
};

export async function benchTextIndex(photos: number, log: (m: string) => void): Promise<Record<string, unknown>> {
  const rand = seeded(7);
  const docs: { id: number; norm: string }[] = [];
  for (let id = 1; id <= photos; id++) {
    const lines = libraryText(rand);
    if (lines) docs.push({ id, norm: normaliseText(lines.join('')) });
  }
  // Queries: substrings of 2, 3 and 4 characters of random stored texts (no spaces by construction).
  const qrand = seeded(11);
  const queries: Record<number, { q: string; id: number }[]> = { 2: [], 3: [], 4: [] };
  for (const n of [2, 3, 4]) {
    while (queries[n].length < 200) {
      const d = docs[Math.floor(qrand() * docs.length)];
      const c = [...d.norm];
      if (c.length < n) continue;
      const at = Math.floor(qrand() * (c.length - n + 1));
      const q = c.slice(at, at + n).join('');
      // Queries people type: at least one letter or ideograph, not pure punctuation/digits.
      if (/[\p{L}]/u.test(q)) queries[n].push({ q, id: d.id });
    }
  }
  const contenders = [trigram('full', false), trigram('full', true), trigram('none', false)];
  const j = await jiebaContender();
  if (j) contenders.push(j);
  else log('@node-rs/jieba not installed: the segmentation contender is skipped');

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-textidx-'));
  const out: Record<string, unknown> = { photos, photosWithText: docs.length, avgChars: Math.round(docs.reduce((a, d) => a + [...d.norm].length, 0) / docs.length) };
  try {
    const dbs = contenders.map((c) => {
      const file = path.join(tmp, `${c.name}.db`);
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      c.setup(db);
      const t0 = performance.now();
      db.transaction(() => docs.forEach((d) => c.insert(db, d.id, d.norm)))();
      const insertMs = performance.now() - t0;
      db.exec('INSERT INTO ocr_fts(ocr_fts) VALUES (\'optimize\')');
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.exec('VACUUM');
      return { c, db, file, insertMs };
    });
    const textOnly = (() => {
      const db = new Database(path.join(tmp, 'text-only.db'));
      base(db);
      db.transaction(() => docs.forEach((d) => db.prepare('INSERT INTO ocr_text(photo_id, norm) VALUES (?, ?)').run(d.id, d.norm)))();
      db.exec('VACUUM');
      db.close();
      return fs.statSync(path.join(tmp, 'text-only.db')).size;
    })();
    out.textOnlyBytesPer1k = Math.round(textOnly / (photos / 1000));
    const results: Record<string, unknown> = {};
    for (const { c, file, insertMs } of dbs) results[c.name] = { bytesPer1kPhotos: Math.round(fs.statSync(file).size / (photos / 1000)), indexOverTextPer1k: Math.round((fs.statSync(file).size - textOnly) / (photos / 1000)), insertMs: Math.round(insertMs) };
    // Interleave the contenders query by query, so machine noise hits them alike.
    const times: Record<string, Record<number, number[]>> = {};
    const found: Record<string, Record<number, number>> = {};
    for (const n of [2, 3, 4]) {
      for (const { q, id } of queries[n]) {
        for (const { c, db } of dbs) {
          const t0 = performance.now();
          const ids = c.query(db, q);
          ((times[c.name] ??= {})[n] ??= []).push(performance.now() - t0);
          (found[c.name] ??= {})[n] = (found[c.name][n] ?? 0) + (ids.includes(id) ? 1 : 0);
        }
      }
    }
    for (const { c } of dbs) {
      const r = results[c.name] as Record<string, unknown>;
      for (const n of [2, 3, 4]) {
        r[`recall${n}`] = Math.round((found[c.name][n] / queries[n].length) * 1000) / 1000;
        r[`ms${n}`] = { p50: pct(times[c.name][n], 50), p95: pct(times[c.name][n], 95) };
      }
      log(`text index ${c.name}: ${JSON.stringify(r)}`);
    }
    out.contenders = results;
    for (const { db } of dbs) db.close();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}
