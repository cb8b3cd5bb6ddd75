/**
 * Embedding models and their vector tables (photos: vec-table.ts; video frames: frame-table.ts).
 * Switching models is build-then-swap: the new model's tables fill ('building') while the old ones
 * serve queries, then activate() swaps them atomically and drops the old tables.
 */
import type { Database, Statement } from './database.ts';
import { ModelDimensionMismatchError } from './errors.ts';
import { toModel, type ModelRow, type RawModel } from './rows.ts';
import { createVectorTable, dropVectorTable, vecTableFor } from './vec-table.ts';
import { createFrameTable, dropFrameTable } from './frame-table.ts';
import { changeFeed } from './change-feed.ts';

export class ModelRepository {
  private readonly s: Record<
    'byKey' | 'byId' | 'active' | 'list' | 'insert' | 'setTable' | 'setState' | 'revive' | 'dropTagVectors' | 'setDir',
    Statement
  >;

  constructor(private readonly db: Database) {
    const sql = db.sql;
    this.s = {
      byKey: sql.prepare('SELECT * FROM models WHERE model_key = ?'),
      byId: sql.prepare('SELECT * FROM models WHERE id = ?'),
      active: sql.prepare(`SELECT * FROM models WHERE state = 'active'`),
      list: sql.prepare('SELECT * FROM models ORDER BY id'),
      insert: sql.prepare(`INSERT INTO models (model_key, dim, state, vec_table, created_at) VALUES (?, ?, ?, '', ?)`),
      setTable: sql.prepare('UPDATE models SET vec_table = ? WHERE id = ?'),
      setState: sql.prepare('UPDATE models SET state = ? WHERE id = ?'),
      setDir: sql.prepare('UPDATE models SET dir = ? WHERE id = ?'),
      revive: sql.prepare('UPDATE models SET state = ?, dim = ? WHERE id = ?'),
      // Cached tag prompt vectors are only valid for the model that produced them.
      dropTagVectors: sql.prepare('DELETE FROM tag_vectors WHERE model_key = ?'),
    };
  }

  /**
   * Makes sure `modelKey` has a row and a vector table. A new (or previously retired) model is
   * 'active' when no model is, else 'building' until activate().
   */
  ensure(modelKey: string, dim: number): ModelRow {
    return this.db.transaction(() => {
      const sql = this.db.sql;
      const initialState = this.active() ? 'building' : 'active';
      const old = this.get(modelKey);
      if (old && old.state !== 'retired') {
        if (old.dim !== dim) throw new ModelDimensionMismatchError(modelKey, old.dim, dim);
        createVectorTable(sql, old.vecTable, old.dim); // no-op unless the table went missing
        createFrameTable(sql, old.id, old.dim); // the same (and for libraries from before videos)
        return old;
      }
      let id: number;
      if (old) {
        // Retired: its vectors are gone, so it may come back with a different size.
        id = old.id;
        this.s.revive.run(initialState, dim, id);
      } else {
        id = Number(this.s.insert.run(modelKey, dim, initialState, Date.now()).lastInsertRowid);
      }
      const table = vecTableFor(id);
      this.s.setTable.run(table, id);
      createVectorTable(sql, table, dim);
      createFrameTable(sql, id, dim);
      return this.getById(id)!;
    });
  }

  /** Records where a model's files are (the engine does on every open). */
  setDir(modelKey: string, dir: string): void {
    const row = this.get(modelKey);
    if (!row) throw new Error(`unknown model ${modelKey}`);
    this.s.setDir.run(dir, row.id);
  }

  active(): ModelRow | undefined {
    const r = this.s.active.get() as RawModel | undefined;
    return r && toModel(r);
  }

  /** New model -> 'active'; the previous active one -> 'retired' with its table dropped. One transaction. */
  activate(modelKey: string): ModelRow {
    return this.db.transaction(() => {
      const target = this.get(modelKey);
      if (!target) throw new Error(`unknown model ${modelKey}`);
      if (target.state === 'retired') throw new Error(`model ${modelKey} is retired; ensure() it again first`);
      if (target.state === 'active') return target;
      const previous = this.active();
      if (previous) this.retireRow(previous); // first: at most one row may be active
      this.s.setState.run('active', target.id);
      return this.getById(target.id)!;
    });
  }

  /** Abandons a model that is not serving queries (e.g. a cancelled switch): drops its table. */
  retire(modelKey: string): void {
    this.db.transaction(() => {
      const row = this.get(modelKey);
      if (!row || row.state === 'retired') return;
      if (row.state === 'active') throw new Error(`model ${modelKey} is active; activate another model instead`);
      this.retireRow(row);
    });
  }

  list(): ModelRow[] {
    return (this.s.list.all() as RawModel[]).map(toModel);
  }

  get(modelKey: string): ModelRow | undefined {
    const r = this.s.byKey.get(modelKey) as RawModel | undefined;
    return r && toModel(r);
  }

  getById(id: number): ModelRow | undefined {
    const r = this.s.byId.get(id) as RawModel | undefined;
    return r && toModel(r);
  }

  private retireRow(row: ModelRow): void {
    this.s.setState.run('retired', row.id);
    dropVectorTable(this.db.sql, row.vecTable);
    dropFrameTable(this.db.sql, row.id);
    changeFeed(this.db).tableDropped(row.vecTable);
    this.s.dropTagVectors.run(row.modelKey);
  }
}
