/**
 * Folders this process writes images into — the thumbnail cache with its video frames — which no
 * scan or watch may take for photos. They sit beside the database, in the app's data folder, and
 * that folder can lie inside a library folder: on macOS (`~/Library/Application Support/shiguang`)
 * and Windows (`%LOCALAPPDATA%\shiguang`) when a person adds their home folder, or anywhere
 * `--db` points. Without this the video pass's frames came back as photos on the next scan.
 * Registered by the engine that owns them, for as long as it is open (reference-counted: tests
 * open several engines in one process).
 */
import path from 'node:path';

const own = new Map<string, number>();

/** Never index what is under `dir`; call the returned function when the owner closes. */
export function registerOwnDir(dir: string): () => void {
  const d = path.resolve(dir);
  own.set(d, (own.get(d) ?? 0) + 1);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const n = (own.get(d) ?? 1) - 1;
    if (n > 0) own.set(d, n);
    else own.delete(d);
  };
}

/** Whether `p` (absolute) is one of those folders or inside one. */
export function isInOwnDir(p: string): boolean {
  for (const d of own.keys()) if (p === d || p.startsWith(d + path.sep)) return true;
  return false;
}
