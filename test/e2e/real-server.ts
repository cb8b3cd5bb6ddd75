/**
 * The real web mode for the UI suite: `shiguang serve` (the same command a user runs) on a fresh
 * library with the toy-colors model, and a photo folder of coloured photos, real photos from
 * ../shared/photos, three photos with text in them (a shop sign, a chat screenshot, a receipt; drawn with
 * fonts-noto-cjk when it is installed) and two broken files, which the suite adds through the
 * library panel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateTestModels } from '../../scripts/models/generate-test-models.ts';
import { writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { renderChat, renderReceipt, renderSign } from '../../scripts/fixtures/ocr-images.ts';
import { seeded } from '../../scripts/fixtures/ocr-text.ts';
import { cjkFontsStatus } from '../../scripts/ensure-cjk-fonts.mjs';
import { servedUrl, stopServe } from './serve-process.ts';

export interface RealServer {
  baseUrl: string;
  photosFolder: string;
  redPhotoNames: string[];
  skippedNames: string[];
  /** Photos with text (file name → lines drawn), in the folder 文字; absent without the CJK fonts. */
  textPhotos?: { folder: string; lines: Record<string, string[]> };
  /** A second folder, "on a drive" that the suite unplugs (renames away) and plugs back. */
  awayFolder: { path: string; unplug(): void; plugIn(): void };
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
  let textPhotos: RealServer['textPhotos'];
  const fonts = cjkFontsStatus();
  if (fonts.ok && fs.existsSync(shared)) {
    const dir = path.join(photos, '文字');
    fs.mkdirSync(dir);
    const rand = seeded(2024);
    const sign = await renderSign(rand, path.join(shared, fs.readdirSync(shared).filter((f) => f.endsWith('.JPEG')).sort()[3]!), 'sign');
    const chat = await renderChat(rand, 'chat', { dark: false, fontPx: 28, width: 750, height: 1334 });
    const receipt = await renderReceipt(rand, 'receipt', 22);
    fs.writeFileSync(path.join(dir, '招牌.jpg'), sign.bytes);
    fs.writeFileSync(path.join(dir, '聊天截图.png'), chat.bytes);
    fs.writeFileSync(path.join(dir, '小票.jpg'), receipt.bytes);
    // Three photos: a folder needs that many to be an album on the home view.
    textPhotos = { folder: dir, lines: { '招牌.jpg': sign.lines, '聊天截图.png': chat.lines, '小票.jpg': receipt.lines } };
  } else if (!fonts.ok) {
    console.warn(`UI suite without photos with text: ${fonts.reason}`);
  }
  // Outside the main folder: a drive of its own, three red photos (they rank first for 红色).
  const drive = path.join(tmp, '移动硬盘');
  await writeColourSet(drive, ['red'], 3, 900);
  fs.writeFileSync(path.join(photos, 'broken.jpg'), 'this is not a photo');
  fs.writeFileSync(path.join(photos, 'empty.jpg'), '');

  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'electron/cli/main.ts'), '--db', path.join(tmp, 'library.db'), '--model', path.join(models, 'toy-colors'), '--threads', '1', 'serve'],
    // Folders checked every second for going away (the default is 30 s): the offline check waits for that state.
    { cwd: root, env: { ...process.env, SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'warn', SHIGUANG_FOLDER_CHECK: '1' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const baseUrl = await servedUrl(child);
  return {
    baseUrl,
    photosFolder: photos,
    redPhotoNames: colourFiles.filter((f) => path.basename(f).startsWith('red-')).map((f) => path.basename(f)),
    skippedNames: ['broken.jpg', 'empty.jpg'],
    textPhotos,
    awayFolder: {
      path: drive,
      unplug: () => fs.renameSync(drive, `${drive}-unplugged`),
      plugIn: () => fs.renameSync(`${drive}-unplugged`, drive),
    },
    close: async () => {
      await stopServe(child);
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
