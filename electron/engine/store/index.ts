/** Public surface of the store: the only module that touches SQLite. */
export { Database, openDatabase, resolveVecExtensionPath, type OpenDatabaseOptions } from './database.ts';
export { DatabaseTooNewError, ModelDimensionMismatchError } from './errors.ts';
export { MIGRATIONS, runMigrations, type Migration } from './migrations.ts';
export { dirOf, subtreeRange } from './paths.ts';
export type { FolderRow, ModelRow, ModelState, PhotoRow, PhotoStatus, TagRow, TakenAtSource } from './rows.ts';
export { FolderRepository, type FolderWithCount } from './folders.ts';
export {
  PhotoRepository,
  type DiscoveredFile,
  type DiscoveryChange,
  type IndexedMeta,
  type PathEntry,
  type StatusCounts,
} from './photos.ts';
export { ModelRepository } from './models.ts';
export { VectorRepository, MAX_K, type VectorBatch, type VectorHit, type VectorMetaRow } from './vector-repository.ts';
export { PhotoFilterSql, type CameraCondition, type FilterSelection, type HourCondition, type PhotoKind, type PhotoQuery, type SqlCondition } from './photo-filter.ts';
export { PhotoPlacesRepository, type PhotoPlaceRecord, type PlaceCount, type PlaceInput, type PlaceLevelIndex } from './photo-places.ts';
export { PhotoTimelineRepository, type MonthCount } from './photo-timeline.ts';
export { PHONE_WIDTHS, SCREEN_SIZES, SCREENSHOT_SQL, SCREENSHOT_WORDS } from './screenshot-rule.ts';
export { PhotoBrowseRepository, type BrowsePosition } from './photo-browse.ts';
export { changeFeed, ChangeFeed, type VectorChangeListener } from './change-feed.ts';
export { VectorLog, type VectorLogState } from './vector-log.ts';
export { TagRepository, type PhotoScore, type TagInput, type TagScore, type TagWithCount } from './tags.ts';
export { SettingsRepository } from './settings.ts';
export {
  OcrTextRepository,
  type OcrBox,
  type OcrCounts,
  type OcrLineRecord,
  type OcrPendingPhoto,
  type OcrReadResult,
  type OcrStateRecord,
  type TextHit,
} from './ocr-text.ts';
export { PassStateRepository, type OwedPhoto, type PassStateCounts } from './pass-state.ts';
export { PictureFactsRepository, type PictureFactsRecord, type StackPhotoFacts } from './picture-facts.ts';
export { StackRepository, type StackBadge, type StackKind, type StackMemberRow, type StoredStack } from './stacks.ts';
export { StackDecisionRepository } from './stack-decisions.ts';
export { Library, openLibrary } from './library.ts';
