import type { Migration } from './migration.ts';

export const migration: Migration = {
  version: 10,
  name: 'stacks: pictures, stacks, decisions',
  up(sql) {
    // Show each moment once (engine/stacks/, docs/decisions/stacks.md).
    sql.exec(`
      -- What the grouping needs to know about a picture, keyed by its content (SHA-256, as
      -- photos.hash): the perceptual hash and sharpness of its pixels (media/fingerprint.ts) and
      -- what its EXIF says about the capture (media/capture-details.ts). Content-keyed, so exact
      -- copies share one row, a rename or a move keeps it, and a model switch never recomputes it.
      CREATE TABLE picture_facts (
        hash TEXT PRIMARY KEY,
        -- 64-bit pHash as a signed INTEGER (stacks/phash.ts phashToSql); NULL: no pixels to hash.
        phash INTEGER,
        sharpness REAL NOT NULL,
        -- SubSecTimeOriginal in ms, ImageUniqueID (or Apple's), Apple's BurstUUID.
        subsec_ms INTEGER,
        unique_id TEXT,
        burst_id TEXT
      ) STRICT, WITHOUT ROWID;

      -- The stacks a person sees: a burst, a near-duplicate group, or byte-identical copies.
      -- Ids are the grouping's own (StackGrouper), so a restart neither renumbers nor regroups.
      CREATE TABLE stacks (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('exact', 'near', 'burst')),
        updated_at INTEGER NOT NULL
      ) STRICT;

      -- Each photo in a stack. rank 0 is the cover; the others follow in the cover rule's order
      -- (stacks/duplicates.ts), so that under a filter the best member it lets through stands in
      -- for the stack. unit_id: the picture group inside the stack (a burst's frame with its copies).
      CREATE TABLE stack_photos (
        photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
        stack_id INTEGER NOT NULL REFERENCES stacks(id) ON DELETE CASCADE,
        unit_id INTEGER NOT NULL,
        rank INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX stack_photos_stack ON stack_photos(stack_id, rank);

      -- The person's decisions, keyed by content hashes so that renames, moves, copies to a
      -- backup, re-runs and model switches all keep them.
      CREATE TABLE stack_separations (
        hash_a TEXT NOT NULL,
        hash_b TEXT NOT NULL,
        decided_at INTEGER NOT NULL,
        PRIMARY KEY (hash_a, hash_b),
        CHECK (hash_a < hash_b)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE stack_cover_picks (
        hash TEXT PRIMARY KEY,
        picked_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;

      -- Contents that a photo stopped holding (deleted, changed, no longer decodes): the stacks
      -- pass takes those no photo holds any more out of its groups.
      CREATE TABLE stack_gone (hash TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;

      -- A photo leaving its stack: its stack mates are owed to the stacks pass again (which
      -- regroups them), its content is noted, and it is no longer shown in the stack.
      CREATE TRIGGER photos_stack_content AFTER UPDATE OF hash ON photos WHEN old.hash IS NOT new.hash BEGIN
        DELETE FROM pass_state WHERE pass = 'stacks' AND photo_id IN
          (SELECT m.photo_id FROM stack_photos m JOIN stack_photos me ON me.stack_id = m.stack_id WHERE me.photo_id = old.id);
        INSERT OR IGNORE INTO stack_gone (hash) SELECT old.hash WHERE old.hash IS NOT NULL;
        DELETE FROM stack_photos WHERE photo_id = old.id;
      END;
      CREATE TRIGGER photos_stack_skipped AFTER UPDATE OF status ON photos WHEN new.status = 'skipped' BEGIN
        DELETE FROM pass_state WHERE pass = 'stacks' AND photo_id IN
          (SELECT m.photo_id FROM stack_photos m JOIN stack_photos me ON me.stack_id = m.stack_id WHERE me.photo_id = old.id);
        INSERT OR IGNORE INTO stack_gone (hash) SELECT old.hash WHERE old.hash IS NOT NULL;
        DELETE FROM stack_photos WHERE photo_id = old.id;
      END;
      -- BEFORE: the cascade would otherwise drop the photo's row before its mates are found.
      CREATE TRIGGER photos_stack_deleted BEFORE DELETE ON photos BEGIN
        DELETE FROM pass_state WHERE pass = 'stacks' AND photo_id IN
          (SELECT m.photo_id FROM stack_photos m JOIN stack_photos me ON me.stack_id = m.stack_id WHERE me.photo_id = old.id);
        INSERT OR IGNORE INTO stack_gone (hash) SELECT old.hash WHERE old.hash IS NOT NULL;
      END;
    `);
  },
};
