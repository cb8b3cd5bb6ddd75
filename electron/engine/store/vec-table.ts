/**
 * DDL for the per-model vec0 tables: the only schema created outside migrations.ts, because the
 * embedding size comes from the model manifest at run time, and a model switch builds a second
 * table while the first keeps serving queries.
 *
 * Layout: vec_<modelRowId>(photo_id INTEGER PRIMARY KEY, embedding float[dim] cosine, and two
 * INTEGER metadata columns that filters read inside the KNN query: taken_at and folder_id, the
 * watched root). vec0 cannot hold foreign keys, so triggers on `photos` keep every vector table in
 * step: a deleted photo (directly or by folder cascade) or a skipped one loses its vector, and a
 * changed taken_at or folder_id is copied into the metadata.
 *
 * There is deliberately no `dir` metadata column. vec0 does support range comparisons on TEXT
 * metadata (checked: byte order, long and CJK paths are correct), but it stores only a 12-byte
 * prefix inline and fetches longer strings row by row, and real paths share far more than 12
 * bytes, so a folder filter that way cost 2-6x an unfiltered scan. Folder filters use folder_id
 * when the folder is made of whole watched roots, else pass `photo_id IN (SELECT id FROM photos
 * WHERE dir range)` (an index range scan) into the KNN query; see vector-repository.ts.
 * A side benefit: moving a photo within its root never touches the vector tables.
 */
import type { SqlHandle } from './database.ts';

/** vec0 metadata columns cannot be NULL; photos without any date sort before every real date. */
export const UNKNOWN_TAKEN_AT = Number.MIN_SAFE_INTEGER;

const TABLE_NAME = /^vec_\d+$/;

/** Table names are interpolated into SQL, so only names of our own making are accepted. */
export function checkTableName(table: string): string {
  if (!TABLE_NAME.test(table)) throw new Error(`not a vector table name: ${table}`);
  return table;
}

export const vecTableFor = (modelRowId: number): string => checkTableName(`vec_${modelRowId}`);

const triggerNames = (t: string): string[] => [
  `${t}_photo_deleted`,
  `${t}_photo_skipped`,
  `${t}_photo_taken_at`,
  `${t}_photo_folder`,
];

export function createVectorTable(sql: SqlHandle, table: string, dim: number): void {
  const t = checkTableName(table);
  if (!Number.isInteger(dim) || dim <= 0) throw new Error(`bad embedding dimension ${dim}`);
  const [deleted, skipped, taken, folder] = triggerNames(t);
  sql.exec(`
    CREATE VIRTUAL TABLE IF NOT EXISTS ${t} USING vec0(
      photo_id INTEGER PRIMARY KEY,
      embedding float[${dim}] distance_metric=cosine,
      taken_at INTEGER,
      folder_id INTEGER
    );
    CREATE TRIGGER IF NOT EXISTS ${deleted} AFTER DELETE ON photos BEGIN
      DELETE FROM ${t} WHERE photo_id = OLD.id;
    END;
    CREATE TRIGGER IF NOT EXISTS ${skipped} AFTER UPDATE OF status ON photos WHEN NEW.status = 'skipped' BEGIN
      DELETE FROM ${t} WHERE photo_id = NEW.id;
    END;
    CREATE TRIGGER IF NOT EXISTS ${taken} AFTER UPDATE OF taken_at ON photos WHEN NEW.taken_at IS NOT OLD.taken_at BEGIN
      UPDATE ${t} SET taken_at = COALESCE(NEW.taken_at, ${UNKNOWN_TAKEN_AT}) WHERE photo_id = NEW.id;
    END;
    CREATE TRIGGER IF NOT EXISTS ${folder} AFTER UPDATE OF folder_id ON photos WHEN NEW.folder_id IS NOT OLD.folder_id BEGIN
      UPDATE ${t} SET folder_id = NEW.folder_id WHERE photo_id = NEW.id;
    END;
  `);
}

/** Triggers first: a trigger naming a dropped table would make every photo delete fail. */
export function dropVectorTable(sql: SqlHandle, table: string): void {
  const t = checkTableName(table);
  for (const trigger of triggerNames(t)) sql.exec(`DROP TRIGGER IF EXISTS ${trigger}`);
  sql.exec(`DROP TABLE IF EXISTS ${t}`);
}
