/**
 * Rebuilding a damaged library from the photos, once the person has agreed (`--rebuild-damaged`,
 * or the app's prompt): the damaged file is set aside (never deleted), a fresh library is opened,
 * and the folders and custom tags that could still be read from the old one are added again.
 * Indexing the folders again is the caller's next step (it re-encodes every photo).
 */
import fs from 'node:fs';
import { DatabaseDamagedError } from '../store/errors.ts';
import { salvage, setAside } from '../store/integrity.ts';

export interface RebuildReport {
  /** Where the damaged file now is. */
  aside: string;
  /** Folders added to the new library (salvaged ones that are there now). */
  folders: string[];
  /**
   * Salvaged folders that are not there now (a drive unplugged): added all the same — only the
   * person removes a folder — and offline until they are back.
   */
  missingFolders: string[];
  customTags: string[];
}

interface Rebuildable {
  lib: { folders: { add(path: string): unknown } };
  tags: { addCustomTag(name: string): Promise<unknown> };
}

/**
 * Open the library with `open`; if it is damaged and `agreed`, set it aside, open a fresh one and
 * restore what was salvaged. Without agreement the DatabaseDamagedError propagates (its message
 * says how to agree).
 */
export async function openRebuildingIfDamaged<E extends Rebuildable>(
  dbPath: string,
  open: () => Promise<E>,
  agreed: boolean,
): Promise<{ engine: E; rebuilt: RebuildReport | null }> {
  try {
    return { engine: await open(), rebuilt: null };
  } catch (err) {
    if (!(err instanceof DatabaseDamagedError) || !agreed) throw err;
    const saved = salvage(dbPath);
    const aside = setAside(dbPath);
    const engine = await open();
    const folders = saved.folders.filter((f) => fs.existsSync(f));
    for (const f of saved.folders) engine.lib.folders.add(f);
    const customTags: string[] = [];
    for (const t of saved.customTags) {
      try {
        await engine.tags.addCustomTag(t);
        customTags.push(t);
      } catch {
        // a name the new tag service refuses: left out, the person can add it again
      }
    }
    return { engine, rebuilt: { aside, folders, missingFolders: saved.folders.filter((f) => !folders.includes(f)), customTags } };
  }
}

export function describeRebuild(r: RebuildReport): string {
  const parts = [`the damaged library was set aside as ${r.aside}; a new one was created`];
  if (r.folders.length) parts.push(`with your ${r.folders.length} folder(s): ${r.folders.join(', ')}`);
  if (r.customTags.length) parts.push(`and ${r.customTags.length} custom tag(s)`);
  let text = parts.join(' ');
  if (r.missingFolders.length) text += `. Not there now (kept, offline until they are back): ${r.missingFolders.join(', ')}`;
  return `${text}. Every photo is indexed again.`;
}
