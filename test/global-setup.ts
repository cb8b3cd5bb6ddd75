/**
 * Generates the project's own test models (tiny + toy-colors) into .cache/test-models at the
 * start of every run — it takes milliseconds, and regenerating means a changed generator can
 * never be masked by a stale cache. Tests find them through SHIGUANG_TEST_MODELS. Also makes sure
 * the CJK fonts the OCR fixtures are drawn with are installed (SHIGUANG_CJK_FONTS), Debian's
 * ffmpeg, which makes the synthetic test videos (SHIGUANG_SYSTEM_FFMPEG), and exiftool, which the
 * when/where tests write EXIF dates and GPS into real photos with (SHIGUANG_EXIFTOOL).
 */
import path from 'node:path';
import { generateTestModels } from '../scripts/models/generate-test-models.ts';
import { ensureCjkFonts } from '../scripts/ensure-cjk-fonts.mjs';
import { ensureSystemFfmpeg } from '../scripts/fixtures/video-clips.ts';
import { ensureExiftool } from '../scripts/ensure-exiftool.mjs';

export default async function setup(): Promise<void> {
  const out = path.resolve('.cache/test-models');
  await generateTestModels(out);
  process.env.SHIGUANG_TEST_MODELS = out;
  // The CLI follows the system locale; tests that read its English lines must not depend on the
  // machine's. test/integration/cli-language.test.ts sets the locale itself.
  process.env.SHIGUANG_LANG ??= 'en';
  // The OCR quality tests render Chinese with fonts-noto-cjk; installed here like Chromium is for
  // the UI suite. Where that cannot be done the tests skip, printing this reason.
  const fonts = ensureCjkFonts();
  process.env.SHIGUANG_CJK_FONTS = fonts.ok ? 'ok' : fonts.reason;
  // The video tests' synthetic clips (red → blue → green, rotation, 8K, …) are made with it; the
  // app's own decoder is the npm package's, a different build.
  const ffmpeg = ensureSystemFfmpeg();
  process.env.SHIGUANG_SYSTEM_FFMPEG = ffmpeg.ok ? 'ok' : ffmpeg.reason;
  // The when/where end-to-end tests write EXIF dates and GPS into real photos with exiftool.
  const exiftool = ensureExiftool();
  process.env.SHIGUANG_EXIFTOOL = exiftool.ok ? 'ok' : exiftool.reason;
}
