import type { Migration } from './migration.ts';

export const migration: Migration = {
  version: 9,
  name: 'videos',
  up(sql) {
    sql.exec(`
      -- A library item is a photo or a video (engine/video-frames/, docs/decisions/video.md). A
      -- video's row keeps everything a photo's does — identity across moves, folder, taken_at
      -- (its recording time), GPS, width and height (upright) — plus its length. Its looks are its
      -- sampled frames (below), not a vector in the model's photo table, so searches over photos
      -- alone read exactly what they read before.
      ALTER TABLE photos ADD COLUMN kind TEXT NOT NULL DEFAULT 'photo' CHECK (kind IN ('photo', 'video'));
      ALTER TABLE photos ADD COLUMN duration_s REAL;
      -- What the photo pipeline, the passes' counts and the video pass select by: kind first, so a
      -- count of one kind's indexed rows reads this index only (status polls).
      CREATE INDEX photos_kind_status ON photos(kind, status, id);

      -- The frames sampled from a video for one model (scene changes and at least every 2 s):
      -- their vectors live in that model's frame table (vframes_<model id>, frame-table.ts), keyed
      -- by this id. Per model, because a model switch samples again at the new model's input size
      -- while the old model's frames keep answering.
      -- Ids only grow (AUTOINCREMENT): an in-memory index of frames adds the rows past the last id
      -- it holds (search/frame-search.ts).
      CREATE TABLE video_frames (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        -- Seconds from the start of the video.
        t REAL NOT NULL,
        reason TEXT NOT NULL CHECK (reason IN ('first', 'interval', 'scene')),
        UNIQUE (photo_id, model_id, t)
      ) STRICT;
      CREATE INDEX video_frames_model ON video_frames(model_id, photo_id);

      -- Frames written and removed so far, per model: what tells an in-memory index of frames that
      -- it is behind (one row read per query), kept by the triggers below.
      CREATE TABLE video_frame_changes (
        model_id INTEGER PRIMARY KEY,
        added INTEGER NOT NULL DEFAULT 0,
        removed INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE TRIGGER video_frames_added AFTER INSERT ON video_frames BEGIN
        INSERT INTO video_frame_changes (model_id, added) VALUES (NEW.model_id, 1)
          ON CONFLICT (model_id) DO UPDATE SET added = added + 1;
      END;
      CREATE TRIGGER video_frames_removed AFTER DELETE ON video_frames BEGIN
        UPDATE video_frame_changes SET removed = removed + 1 WHERE model_id = OLD.model_id;
      END;

      -- A video that no longer decodes must not be found (as a photo loses its vector); also a
      -- video renamed to a photo's extension that then fails as a photo.
      CREATE TRIGGER photos_video_frames_skipped AFTER UPDATE OF status ON photos
        WHEN NEW.status = 'skipped' BEGIN
        DELETE FROM video_frames WHERE photo_id = NEW.id;
      END;
    `);
  },
};
