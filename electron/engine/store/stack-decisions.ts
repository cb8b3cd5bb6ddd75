/**
 * The person's decisions about stacks (migration 10), keyed by content hashes so that renames,
 * moves, backup copies, re-runs and model switches keep them: pairs of pictures that are "not the
 * same", and the pictures chosen as covers. Also the contents photos stopped holding, which the
 * stacks pass takes out of its groups.
 */
import type { Database, Statement } from './database.ts';

export class StackDecisionRepository {
  private readonly s: Record<'separate' | 'separations' | 'since' | 'latest' | 'picks' | 'unpick' | 'pick' | 'takeGone' | 'held', Statement>;

  constructor(private readonly db: Database) {
    const sql = db.sql;
    this.s = {
      separate: sql.prepare('INSERT OR IGNORE INTO stack_separations (hash_a, hash_b, decided_at) VALUES (?, ?, ?)'),
      separations: sql.prepare('SELECT hash_a, hash_b FROM stack_separations').raw(),
      since: sql.prepare('SELECT hash_a, hash_b FROM stack_separations WHERE decided_at > ?').raw(),
      latest: sql.prepare('SELECT coalesce(max(decided_at), 0) FROM stack_separations').pluck(),
      picks: sql.prepare('SELECT hash FROM stack_cover_picks').pluck(),
      unpick: sql.prepare('DELETE FROM stack_cover_picks WHERE hash IN (SELECT value FROM json_each(?))'),
      pick: sql.prepare('INSERT OR REPLACE INTO stack_cover_picks (hash, picked_at) VALUES (?, ?)'),
      takeGone: sql.prepare('DELETE FROM stack_gone RETURNING hash').pluck(),
      held: sql.prepare(`SELECT DISTINCT hash FROM photos WHERE hash IN (SELECT value FROM json_each(?)) AND +status = 'indexed'`).pluck(),
    };
  }

  /** Records that `hash` is not the same picture as any of `others`; returns the time recorded. */
  separate(hash: string, others: Iterable<string>): number {
    const at = Math.max(Date.now(), this.latestSeparation() + 1);
    this.db.transaction(() => {
      for (const o of others) {
        if (o === hash) continue;
        const [a, b] = hash < o ? [hash, o] : [o, hash];
        this.s.separate.run(a, b, at);
      }
    });
    return at;
  }

  separations(): [string, string][] {
    return this.s.separations.all() as [string, string][];
  }

  /** Pairs decided after `t` (the stacks pass follows decisions made while it runs). */
  separationsSince(t: number): [string, string][] {
    return this.s.since.all(t) as [string, string][];
  }

  /** When the latest "not the same" was decided (0: never). */
  latestSeparation(): number {
    return this.s.latest.get() as number;
  }

  coverPicks(): Set<string> {
    return new Set(this.s.picks.all() as string[]);
  }

  /** `hash` becomes its stack's cover; picks among `stackHashes` are replaced. */
  pickCover(hash: string, stackHashes: readonly string[]): void {
    this.db.transaction(() => {
      this.s.unpick.run(JSON.stringify(stackHashes));
      this.s.pick.run(hash, Date.now());
    });
  }

  /** The contents photos stopped holding since the last call (the queue is emptied). */
  takeGone(): string[] {
    return this.db.transaction(() => this.s.takeGone.all() as string[]);
  }

  /** Which of these contents an indexed photo still holds. */
  held(hashes: readonly string[]): Set<string> {
    if (hashes.length === 0) return new Set();
    return new Set(this.s.held.all(JSON.stringify(hashes)) as string[]);
  }
}
