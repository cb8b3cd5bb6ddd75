/**
 * The real web mode for the UI suite: `shiguang serve` (the same command a user runs) on a fresh
 * library with the toy-colors model, and a photo folder of coloured photos, real photos from
 * ../shared/photos and two broken files, which the suite adds through the library panel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateTestModels } from '../../scripts/models/generate-test-models.ts';
import { writeColourSet } from '../../scripts/fixtures/colour-photos.ts';

export interface RealServer {
  baseUrl: string;
  photosFolder: string;
  redPhotoNames: string[];
  skippedNames: string[];
  close(): Promise<void>;
}

export async function startRealServer(root: string): Promise<RealServer> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-ui-'));
  const models = path.join(tmp, 'models');
  await generateTestModels(models);
  const photos = path.join(tmp, 'Photos');
  const colourFiles = await writeColourSet(path.join(photos, '2023 夏天'), ['red', 'blue', 'green', 'yellow'], 3);
  await writeColourSet(path.join(photos, '冬天'), ['white', 'gray'], 3, 50);
  const shared = path.resolve(root, '../shared/photos');
  if (fs.existsSync(shared)) {
    fs.mkdirSync(path.join(photos, 'imagenet'));
    for (const f of fs.readdirSync(shared).filter((f) => f.endsWith('.JPEG')).slice(0, 24)) {
      fs.copyFileSync(path.join(shared, f), path.join(photos, 'imagenet', f));
    }
  }
  fs.writeFileSync(path.join(photos, 'broken.jpg'), 'this is not a photo');
  fs.writeFileSync(path.join(photos, 'empty.jpg'), '');

  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'electron/cli/main.ts'), '--db', path.join(tmp, 'library.db'), '--model', path.join(models, 'toy-colors'), '--threads', '1', 'serve'],
    { cwd: root, env: { ...process.env, SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not print its URL in time:\n${out}`)), 120_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited early (code ${code}):\n${out}`));
    });
  });
  return {
    baseUrl,
    photosFolder: photos,
    redPhotoNames: colourFiles.filter((f) => path.basename(f).startsWith('red-')).map((f) => path.basename(f)),
    skippedNames: ['broken.jpg', 'empty.jpg'],
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
