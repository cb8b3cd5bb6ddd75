/**
 * The layering in eslint.config.js, proven: each stray import (or reach into repositories, or an
 * oversized module) must fail `npm run lint`, and the owner of each technology may still use it.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: path.resolve('.') });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.resolve(file) });
  return result!.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

const CASES: { file: string; code: string; rule: string | null; why: string }[] = [
  // one owner per technology
  { file: 'electron/engine/search/x.ts', code: "import * as ort from 'onnxruntime-node';\nexport const x = ort;\n", rule: 'no-restricted-imports', why: 'onnxruntime outside ml/' },
  { file: 'electron/engine/ml/x.ts', code: "import * as ort from 'onnxruntime-node';\nexport const x = ort;\n", rule: null, why: 'ml/ owns onnxruntime' },
  { file: 'electron/engine/tags/x.ts', code: "import Database from 'better-sqlite3';\nexport const x = Database;\n", rule: 'no-restricted-imports', why: 'SQLite outside store/' },
  { file: 'electron/engine/search/x.ts', code: "import * as vec from 'sqlite-vec';\nexport const x = vec;\n", rule: 'no-restricted-imports', why: 'sqlite-vec outside store/' },
  { file: 'electron/engine/store/x.ts', code: "import Database from 'better-sqlite3';\nexport const x = Database;\n", rule: null, why: 'store/ owns SQLite' },
  { file: 'electron/engine/index/x.ts', code: "import sharp from 'sharp';\nexport const x = sharp;\n", rule: 'no-restricted-imports', why: 'sharp outside media/' },
  { file: 'electron/engine/media/x.ts', code: "import sharp from 'sharp';\nexport const x = sharp;\n", rule: null, why: 'media/ owns sharp' },
  { file: 'electron/engine/library/scanner.ts', code: "import { watch } from 'chokidar';\nexport const x = watch;\n", rule: 'no-restricted-imports', why: 'chokidar outside watcher.ts' },
  { file: 'electron/engine/library/watcher.ts', code: "import { watch } from 'chokidar';\nexport const x = watch;\n", rule: null, why: 'watcher.ts owns chokidar' },
  { file: 'electron/engine/engine.ts', code: "import { app } from 'electron';\nexport const x = app;\n", rule: 'no-restricted-imports', why: 'Electron in the engine' },
  { file: 'electron/cli/x.ts', code: "import { app } from 'electron';\nexport const x = app;\n", rule: 'no-restricted-imports', why: 'Electron in the CLI' },
  { file: 'electron/server/x.ts', code: "import sharp from 'sharp';\nexport const x = sharp;\n", rule: 'no-restricted-imports', why: 'sharp in a transport' },
  { file: 'electron/engine/index/x.ts', code: "import ff from '@ffmpeg-installer/ffmpeg';\nexport const x = ff;\n", rule: 'no-restricted-imports', why: 'the ffmpeg package outside video/ffmpeg.ts' },
  { file: 'electron/engine/video/frames.ts', code: "import p from '@ffprobe-installer/linux-x64/package.json';\nexport const x = p;\n", rule: 'no-restricted-imports', why: "a platform package of ffprobe outside video/ffmpeg.ts, even in video/" },
  { file: 'electron/engine/video/ffmpeg.ts', code: "import ff from '@ffmpeg-installer/ffmpeg';\nimport { spawn } from 'node:child_process';\nexport const x = [ff, spawn];\n", rule: null, why: 'video/ffmpeg.ts owns the video decoder and its processes' },
  { file: 'electron/engine/index/x.ts', code: "import { spawn } from 'node:child_process';\nexport const x = spawn;\n", rule: 'no-restricted-imports', why: 'a child process started outside engine/video/' },
  { file: 'electron/engine/media/x.ts', code: "import { execFile } from 'child_process';\nexport const x = execFile;\n", rule: 'no-restricted-imports', why: 'a child process started in media/' },
  { file: 'electron/cli/commands/x.ts', code: "import { execFileSync } from 'node:child_process';\nexport const x = execFileSync;\n", rule: null, why: 'the CLI may start processes (serve opens a browser)' },
  // layers
  { file: 'electron/engine/store/x.ts', code: "import { TagService } from '../tags/service.ts';\nexport const x = TagService;\n", rule: 'no-restricted-imports', why: 'store/ importing above it' },
  { file: 'electron/engine/search/x.ts', code: "import { withEngine } from '../../cli/context.ts';\nexport const x = withEngine;\n", rule: 'no-restricted-imports', why: 'the engine importing the CLI' },
  { file: 'electron/engine/x.ts', code: "import { createWebServer } from '../server/web-server.ts';\nexport const x = createWebServer;\n", rule: 'no-restricted-imports', why: 'the engine importing a transport' },
  { file: 'electron/main/x.ts', code: "import { withEngine } from '../cli/context.ts';\nexport const x = withEngine;\n", rule: 'no-restricted-imports', why: 'main/ importing cli/' },
  { file: 'electron/main/x.ts', code: "import { createWebServer } from '../server/web-server.ts';\nexport const x = createWebServer;\n", rule: 'no-restricted-imports', why: 'main/ importing server/' },
  { file: 'electron/main/x.ts', code: "import { resolveMedia } from '../transport/media-guard.ts';\nexport const x = resolveMedia;\n", rule: null, why: 'main/ may use the neutral transport/' },
  { file: 'electron/transport/x.ts', code: "import { Engine } from '../engine/engine.ts';\nexport const x = Engine;\n", rule: 'no-restricted-imports', why: 'transport/ importing the engine' },
  { file: 'electron/shared/x.ts', code: "import fs from 'node:fs';\nexport const x = fs;\n", rule: 'no-restricted-imports', why: 'Node in shared/' },
  { file: 'renderer/src/components/x.ts', code: "import { Engine } from '../../../electron/engine/engine.ts';\nexport const x = Engine;\n", rule: 'no-restricted-imports', why: 'the renderer importing the engine' },
  { file: 'renderer/src/components/x.ts', code: "import { parseMediaUrl } from '../../../electron/transport/media-guard.ts';\nexport const x = parseMediaUrl;\n", rule: 'no-restricted-imports', why: 'the renderer importing transport code' },
  // feature folders never import the engine or the composition root; library/ and settings/ sit below the features
  { file: 'electron/engine/search/x.ts', code: "import type { Engine } from '../engine.ts';\nexport type X = Engine;\n", rule: 'no-restricted-imports', why: 'a feature folder importing engine.ts' },
  { file: 'electron/engine/tags/x.ts', code: "import { ShiguangApp } from '../app/app.ts';\nexport const x = ShiguangApp;\n", rule: 'no-restricted-imports', why: 'a feature folder importing the composition root' },
  { file: 'electron/engine/ocr/x.ts', code: "import { registeredPasses } from '../pass-registry.ts';\nexport const x = registeredPasses;\n", rule: 'no-restricted-imports', why: 'a pass importing the registry that lists it' },
  { file: 'electron/engine/library/x.ts', code: "import { SearchService } from '../search/search-service.ts';\nexport const x = SearchService;\n", rule: 'no-restricted-imports', why: 'library/ importing search' },
  { file: 'electron/engine/library/x.ts', code: "import { RescanScheduler } from './rescan-scheduler.ts';\nexport const x = RescanScheduler;\n", rule: null, why: 'library/ importing its own modules' },
  { file: 'electron/engine/settings/x.ts', code: "import { SOURCE_CATALOGUE } from '../models/sources.ts';\nexport const x = SOURCE_CATALOGUE;\n", rule: 'no-restricted-imports', why: 'settings/ importing the model manager' },
  { file: 'electron/engine/app/x.ts', code: "import { Engine } from '../engine.ts';\nexport const x = Engine;\n", rule: null, why: 'the composition root importing the engine' },
  { file: 'electron/engine/index/x.ts', code: "import { walkPhotos } from '../library/scanner.ts';\nexport const x = walkPhotos;\n", rule: null, why: 'index/ using library/ below it' },
  // services, not repositories, from the CLI
  { file: 'electron/cli/commands/x.ts', code: 'export const f = (engine: { lib: { photos: unknown } }) => engine.lib.photos;\n', rule: 'no-restricted-syntax', why: 'the CLI reaching into repositories' },
];

describe('lint enforces the layers', () => {
  for (const c of CASES) {
    it(`${c.rule ? 'refuses' : 'allows'} ${c.why} (${c.file})`, async () => {
      const found = await problems(c.file, c.code);
      if (c.rule) expect(found.some((p) => p.startsWith(`${c.rule}:`)), found.join('\n') || 'no problem reported').toBe(true);
      else expect(found).toEqual([]);
    });
  }

  it('refuses a module over 400 lines of code', async () => {
    const code = Array.from({ length: 401 }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n';
    expect(await problems('electron/engine/search/big.ts', code)).toEqual([expect.stringMatching(/^max-lines:/)]);
  });
});
