/** The library database with its repositories, for callers that want one handle. */
import { openDatabase, type Database, type OpenDatabaseOptions } from './database.ts';
import { FolderRepository } from './folders.ts';
import { ModelRepository } from './models.ts';
import { OcrTextRepository } from './ocr-text.ts';
import { PassStateRepository } from './pass-state.ts';
import { PhotoBrowseRepository } from './photo-browse.ts';
import { PhotoFilterSql } from './photo-filter.ts';
import { PhotoPlacesRepository } from './photo-places.ts';
import { PhotoTimelineRepository } from './photo-timeline.ts';
import { PhotoRepository } from './photos.ts';
import { PhotoIdentityRepository } from './photo-identity.ts';
import type { ModelRow } from './rows.ts';
import { PictureFactsRepository } from './picture-facts.ts';
import { SettingsRepository } from './settings.ts';
import { StackDecisionRepository } from './stack-decisions.ts';
import { StackRepository } from './stacks.ts';
import { TagRepository } from './tags.ts';
import { VectorLog } from './vector-log.ts';
import { VectorRepository } from './vector-repository.ts';
import { VideoFrameRepository } from './video-frames.ts';
import { VideoRepository } from './videos.ts';

export class Library {
  readonly folders: FolderRepository;
  readonly photos: PhotoRepository;
  /** Reconcile's writes: moves, swaps, in-place changes, hashed inserts (photo-identity.ts). */
  readonly identity: PhotoIdentityRepository;
  readonly models: ModelRepository;
  readonly tags: TagRepository;
  readonly settings: SettingsRepository;
  readonly ocrText: OcrTextRepository;
  /** The one translator of the photo filter (every reader below uses it). */
  readonly filters: PhotoFilterSql;
  /** What the registered per-photo passes have done (for passes without state of their own). */
  readonly passState: PassStateRepository;
  /** Photos a filter selects, newest first (browsing without a query). */
  readonly browse: PhotoBrowseRepository;
  /** The vector change log that persisted indexes follow. */
  readonly vectorLog: VectorLog;
  /** Video rows as the video pass keeps them (videos.ts). */
  readonly videos: VideoRepository;
  /** Each content's fingerprint and capture details (the stacks pass). */
  readonly pictureFacts: PictureFactsRepository;
  /** Stacks of copies and bursts, and how lists show each once. */
  readonly stacks: StackRepository;
  /** "Not the same" and chosen covers, by content. */
  readonly stackDecisions: StackDecisionRepository;
  /** Where photos were taken (the places pass) and the library's places with their counts. */
  readonly places: PhotoPlacesRepository;
  /** Photos per month (the timeline). */
  readonly timeline: PhotoTimelineRepository;
  private readonly vectorRepos = new Map<string, VectorRepository>();
  private readonly frameRepos = new Map<string, VideoFrameRepository>();

  constructor(readonly db: Database) {
    this.folders = new FolderRepository(db);
    this.photos = new PhotoRepository(db);
    this.identity = new PhotoIdentityRepository(db);
    this.models = new ModelRepository(db);
    this.tags = new TagRepository(db);
    this.settings = new SettingsRepository(db);
    this.filters = new PhotoFilterSql(db);
    this.ocrText = new OcrTextRepository(db, this.filters);
    this.browse = new PhotoBrowseRepository(db, this.filters);
    this.passState = new PassStateRepository(db);
    this.vectorLog = new VectorLog(db);
    this.videos = new VideoRepository(db);
    this.pictureFacts = new PictureFactsRepository(db);
    this.stacks = new StackRepository(db, this.filters);
    this.stackDecisions = new StackDecisionRepository(db);
    this.places = new PhotoPlacesRepository(db);
    this.timeline = new PhotoTimelineRepository(db, this.filters);
  }

  /** The vector repository of a live model (cached, so statements are prepared once). Throws for a retired model. */
  vectors(model: ModelRow): VectorRepository {
    const key = `${model.vecTable}:${model.dim}`;
    if (model.state === 'retired') this.vectorRepos.delete(key);
    let repo = this.vectorRepos.get(key);
    if (!repo) this.vectorRepos.set(key, (repo = new VectorRepository(this.db, model, this.filters)));
    return repo;
  }

  /** A live model's video frames (cached like vectors()). Throws for a retired model. */
  videoFrames(model: ModelRow): VideoFrameRepository {
    const key = `${model.id}:${model.dim}`;
    if (model.state === 'retired') this.frameRepos.delete(key);
    let repo = this.frameRepos.get(key);
    if (!repo) this.frameRepos.set(key, (repo = new VideoFrameRepository(this.db, model, this.filters)));
    return repo;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn);
  }

  close(): void {
    this.vectorRepos.clear();
    this.frameRepos.clear();
    this.db.close();
  }
}

export function openLibrary(file: string, opts?: OpenDatabaseOptions): Library {
  return new Library(openDatabase(file, opts));
}
