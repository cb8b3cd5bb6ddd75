/**
 * The schema steps, one file each (NNNN-name.ts), in order. Append only: a new step is a new file
 * and one line here; never edit a released step.
 */
import type { Migration } from './migration.ts';
import { migration as m0001 } from './0001-initial-schema.ts';
import { migration as m0002 } from './0002-model-directories-in-the-models-table.ts';
import { migration as m0003 } from './0003-file-identity-on-disk.ts';
import { migration as m0004 } from './0004-vector-change-log.ts';
import { migration as m0005 } from './0005-text-in-photos-ocr.ts';
import { migration as m0006 } from './0006-per-photo-pass-state.ts';
import { migration as m0007 } from './0007-photo-places.ts';
import { migration as m0008 } from './0008-library-folders-that-are-away.ts';
import { migration as m0009 } from './0009-videos.ts';
import { migration as m0010 } from './0010-stacks.ts';
import { migration as m0011 } from './0011-camera-filter-index.ts';

export const MIGRATIONS: readonly Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009, m0010, m0011];
