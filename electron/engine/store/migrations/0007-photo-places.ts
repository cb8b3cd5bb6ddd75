import type { Migration } from './migration.ts';

export const migration: Migration = {
  version: 7,
  name: 'photo places',
  up(sql) {
    // Where each photo was taken, at every level the gazetteer knows (0 country, 1 province/state,
    // 2 city, 3 district), written by the places pass (engine/places/places-pass.ts): from the
    // photo's GPS ('gps'), or for a photo without GPS from a place named in its folders ('folder').
    // A query place matches at any level, so 陕西 finds the photos stored under 西安 and 雁塔区.
    // Place ids are the gazetteer's stable codes (CN-610115, JP-13, GN-1850147).
    sql.exec(`
      CREATE TABLE photo_places (
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 3),
        place_id TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('gps', 'folder')),
        -- The photo's taken_at, kept here (trigger below) so that "a place in a time range" is one
        -- index range — 2021年在哈尔滨 reads the 1.8k photos it lists, not Harbin's 12k.
        taken_at INTEGER,
        PRIMARY KEY (photo_id, level)
      ) STRICT, WITHOUT ROWID;
      -- The photo filter's place condition, a place's newest photo (its cover) and the Places
      -- view read this index only.
      CREATE INDEX photo_places_place ON photo_places(place_id, taken_at);
      CREATE TRIGGER photos_places_taken AFTER UPDATE OF taken_at ON photos WHEN old.taken_at IS NOT new.taken_at BEGIN
        UPDATE photo_places SET taken_at = new.taken_at WHERE photo_id = new.id;
      END;
      -- The timeline (photos per month) and browsing newest first read this index only.
      CREATE INDEX photos_status_taken ON photos(status, taken_at);
      -- Screenshots are among the photos without camera EXIF (store/screenshot-rule.ts): a query for
      -- them reads only those, newest first, instead of every photo.
      CREATE INDEX photos_no_camera ON photos(status, taken_at) WHERE camera_make IS NULL AND camera_model IS NULL;

      -- The library's places with their photo counts: the query parser's "known places" (a few
      -- hundred rows, read per query) and the Places view's counts, without scanning photo_places.
      -- The places pass adds a batch's counts in one statement (PhotoPlacesRepository.replaceMany:
      -- a trigger per inserted row cost a third of the pass); every removal goes through the
      -- trigger below, whatever removes the row (a re-run, new content, a deleted photo).
      CREATE TABLE place_counts (
        place_id TEXT PRIMARY KEY,
        level INTEGER NOT NULL,
        photos INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE TRIGGER photo_places_removed AFTER DELETE ON photo_places BEGIN
        UPDATE place_counts SET photos = photos - 1 WHERE place_id = old.place_id;
        DELETE FROM place_counts WHERE place_id = old.place_id AND photos <= 0;
      END;

      -- New content (other GPS) or a photo that no longer decodes: its places go; pass_state's own
      -- triggers (migration 6) make the pass owe it again.
      CREATE TRIGGER photos_places_content AFTER UPDATE OF hash ON photos WHEN old.hash IS NOT new.hash BEGIN
        DELETE FROM photo_places WHERE photo_id = new.id;
      END;
      CREATE TRIGGER photos_places_skipped AFTER UPDATE OF status ON photos WHEN new.status = 'skipped' BEGIN
        DELETE FROM photo_places WHERE photo_id = new.id;
      END;
      -- Moved to another folder (reconcile keeps the row): the folder's name may say another place,
      -- so the places pass owes the photo again (its rows stay until it is redone).
      CREATE TRIGGER photos_places_moved AFTER UPDATE OF dir ON photos WHEN old.dir IS NOT new.dir BEGIN
        DELETE FROM pass_state WHERE pass = 'places' AND photo_id = new.id;
      END;
    `);
  },
};
