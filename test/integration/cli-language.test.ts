/**
 * The CLI speaks the person's language: the same commands run with LANG=zh_CN.UTF-8 and with
 * LANG=C, and with --lang to override the locale, and their outputs compared — help, progress
 * summary, search and status lines, serve's address line, the CLI's own and commander's errors.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { defaultLogLevel, langFromArgv, resolveCliLanguage } from '../../electron/cli/i18n.ts';
import { spawnCli } from './helpers/cli-process.ts';
import { languageOf, systemLanguage } from '../../electron/engine/util/locale.ts';

const run = promisify(execFile);
const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const toy = path.join(models, 'toy-colors');

/** Runs of the CLI under a locale; never throws (failures come back with their exit code). */
type Out = { stdout: string; stderr: string; code: number };

describe('CLI language', () => {
  let tmp: string;
  let photos: string;
  const cli = async (locale: string, args: string[], extra: NodeJS.ProcessEnv = {}): Promise<Out> => {
    // A clean locale: only LANG, as a login shell on a Chinese or a C system has it.
    const env: NodeJS.ProcessEnv = { ...process.env, SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'warn', LANG: locale, ...extra };
    for (const k of ['LC_ALL', 'LC_MESSAGES', 'LANGUAGE', 'SHIGUANG_LANG']) delete env[k];
    try {
      const r = await run(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', '--db', path.join(tmp, 'lib.db'), '--model', toy, '--threads', '1', ...args], { env, maxBuffer: 16 << 20 });
      return { ...r, code: 0 };
    } catch (e) {
      const err = e as { stdout: string; stderr: string; code: number };
      return { stdout: err.stdout, stderr: err.stderr, code: err.code };
    }
  };
  const zh = (args: string[], extra?: NodeJS.ProcessEnv) => cli('zh_CN.UTF-8', args, extra);
  const c = (args: string[]) => cli('C', args);

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-cli-lang-'));
    photos = path.join(tmp, 'photos');
    await writeColourSet(photos, ['red', 'blue'], 2);
    fs.writeFileSync(path.join(photos, 'broken.jpg'), 'not a photo');
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 5 }));

  // Each run starts a process that compiles the CLI: slow on a busy machine.
  const SLOW = 300_000;

  it('help: Chinese under a Chinese locale, English under C, and --lang overrides the locale', async () => {
    const [z, e, forced] = await Promise.all([zh(['--help']), c(['--help']), zh(['--lang', 'en', 'search', '--help'])]);
    expect(z.stdout).toContain('用法：');
    expect(z.stdout).toContain('用中文描述找照片');
    expect(z.stdout).toContain('显示帮助');
    expect(e.stdout).toContain('Usage:');
    // Commander wraps long descriptions: compare with the line breaks folded.
    expect(e.stdout.replace(/\s+/g, ' ')).toContain('find photos and moments of videos by a Chinese description');
    expect(e.stdout).not.toMatch(/用法|显示帮助/);
    expect(forced.stdout).toContain('how many results (default: "20")');
    const zSearch = await zh(['search', '--help']);
    expect(zSearch.stdout).toContain('显示多少个结果（默认："20"）');
  }, SLOW);

  it('index, search and status: the same facts in each language', async () => {
    // With the log level left to the CLI, as a person runs it: no English log lines among the
    // progress (the tag prompts' first encoding logged "tag vectors: encoded … prompts" at info).
    const zi = await zh(['index', '--no-ocr', '--tags', photos], { SHIGUANG_LOG: '' });
    expect(zi.code).toBe(0);
    expect(zi.stderr).toContain('标签：');
    expect(zi.stderr).not.toMatch(/\] (info|debug) /);
    expect(zi.stderr).toMatch(/索引用时 [\d.]+ 秒：扫描 5，新增 5，.*编码 4，跳过 1。图库：已索引 4，待处理 0，已跳过 1。/);
    expect(zi.stderr).toContain('这次有 1 个文件读不了（已跳过，其他照片不受影响）：`status` 会列出每个文件和原因。');
    const ei = await c(['index', '--no-ocr', photos]);
    expect(ei.stderr).toMatch(/indexed in [\d.]+ s: scanned 5, new 0, .*Library: 4 indexed, 0 pending, 1 skipped\./);

    const [zs, es] = await Promise.all([zh(['search', '红色', '--limit', '2', '--mode', 'visual']), c(['search', '红色', '--limit', '2', '--mode', 'visual'])]);
    // The first line says how many match, in each language; the results themselves (paths, relevance) do not depend on it.
    const [zFirst, ...zRest] = zs.stdout.split('\n');
    const [eFirst, ...eRest] = es.stdout.split('\n');
    expect(zFirst).toMatch(/^(\d+ 张相关照片|没有明显相关的照片)/);
    expect(eFirst).toMatch(/^(\d+ relevant photos|no photo stands out)/);
    expect(zRest).toEqual(eRest);
    expect(zs.stderr).toMatch(/（文本编码 [\d.]+ 毫秒，搜索 [\d.]+ 毫秒）/);
    expect(es.stderr).toMatch(/\(text [\d.]+ ms, search [\d.]+ ms\)/);

    // Tags with their family as people read it (it printed "红色 (red)  colour" in Chinese).
    const [ztl, etl] = await Promise.all([zh(['tags', 'list']), c(['tags', 'list'])]);
    expect(ztl.stdout).toMatch(/^红色  主色调  \d+$/m);
    expect(ztl.stdout).not.toMatch(/\(red\)|colour/);
    expect(etl.stdout).toMatch(/^红色 \(red\)  Dominant colours  \d+$/m);

    const [zst, est] = await Promise.all([zh(['status']), c(['status'])]);
    expect(zst.stdout).toContain('照片：已索引 4，待处理 0，已跳过 1');
    expect(zst.stdout).toContain('推理设备：cpu');
    expect(zst.stdout).toContain('跳过的文件：');
    // Why, in the app's words (it printed the engine's record: "not-an-image: … is not an image (only 11 bytes …)").
    expect(zst.stdout).toContain(`${path.join(photos, 'broken.jpg')}：不是图片文件`);
    expect(est.stdout).toMatch(/broken\.jpg: not-an-image: .*is not an image/);
    expect(est.stdout).toContain('photos: 4 indexed, 0 pending, 1 skipped');
    expect(est.stdout).toContain('execution provider: cpu');
    // A provider this install lacks (CUDA on Linux x64 without its libraries): what it means, not ONNX Runtime's English.
    if (/not cuda: .*not installed/.test(est.stdout)) expect(zst.stdout).toContain('没有用 cuda：这个安装里没有它的运行库');
    expect(zst.stdout).not.toMatch(/is not installed; fetch it/);
  }, SLOW);

  it("errors: the CLI's own and commander's, in the locale's language, with the same exit codes", async () => {
    const [zl, el] = await Promise.all([zh(['search', '红色', '--limit', 'x']), c(['search', '红色', '--limit', 'x'])]);
    expect(zl.stderr).toContain('错误：--limit 必须是正整数，收到的是 x');
    expect(el.stderr).toContain('error: --limit must be a positive whole number, got x');
    expect(zl.code).toBe(el.code);
    const [zu, eu] = await Promise.all([zh(['search', '红色', '--limt', '3']), c(['search', '红色', '--limt', '3'])]);
    expect(zu.stderr).toContain('错误：不认识的选项 --limt（你是不是想输入 --limit？）');
    expect(eu.stderr).toContain("error: unknown option '--limt'");
    expect(zu.code).toBe(eu.code);
    // A value outside a flag's choices names the flag and the choices (it said "a value in the request is not allowed").
    const [zc, ec, zst] = await Promise.all([zh(['search', '红色', '--mode', 'looks']), c(['search', '红色', '--mode', 'looks']), zh(['search', '红色', '--stack', 'first'])]);
    expect(zc.stderr).toContain('错误：--mode 不能是“looks”：可选 all、visual、text');
    expect(ec.stderr).toContain("error: option '--mode <mode>' argument 'looks' is invalid. Allowed choices are all, visual, text.");
    expect(zc.code).toBe(ec.code);
    expect(zc.code).toBe(2); // a refused value, as before the choices were commander's
    expect(zst.stderr).toContain('错误：--stack 要么是一组的编号（正整数），要么是 all，收到的是 first');
    // A photo that is neither in the library nor a file (it said the image was damaged or not an image).
    const nowhere = path.join(tmp, 'no-such-photo.jpg');
    const [zn, en] = await Promise.all([zh(['similar', nowhere]), c(['similar', nowhere])]);
    expect(zn.stderr).toContain(`错误：找不到 ${nowhere}：它既不是图库里的照片，也不是这台电脑上的文件。`);
    expect(en.stderr).toContain(`error: not found: ${nowhere} is neither a photo of the library nor a file on this computer.`);
    expect(zn.code).toBe(1);
    // Refusals with a reason, worded like the app's (they printed English under a Chinese locale).
    const [zs, es] = await Promise.all([zh(['models', 'download', 'cn-clip-vit-b-16', '--source', 'ftp://x']), c(['models', 'download', 'cn-clip-vit-b-16', '--source', 'ftp://x'])]);
    expect(zs.stderr).toContain('错误：无法识别下载源“ftp://x”');
    expect(es.stderr).toContain('error: unknown model source "ftp://x"');
    const missing = path.join(tmp, 'no-such-model');
    const [zm, em] = await Promise.all([zh(['--model', missing, 'search', '红色']), c(['--model', missing, 'search', '红色'])]);
    expect(zm.stderr).toContain(`错误：找不到模型文件夹 ${missing}`);
    expect(em.stderr).toContain(`error: model directory not found: ${missing}`);
    expect(zm.code).toBe(em.code);
    const bad = await zh(['--lang', 'fr', 'status']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--lang 只能是 zh-CN 或 en');
  }, SLOW);

  it('a folder that is away: index says so in Chinese, with why, and no English log line', async () => {
    const away = path.join(tmp, 'away');
    await writeColourSet(away, ['green'], 1);
    expect((await zh(['index', '--no-ocr', away])).code).toBe(0);
    fs.renameSync(away, `${away}-unplugged`);
    try {
      const [z, e] = [await zh(['index', '--no-ocr', away], { SHIGUANG_LOG: '' }), await c(['index', '--no-ocr', away])];
      expect(z.code).toBe(0);
      expect(z.stderr).toContain(`${away} 离线（不在了：硬盘或网络共享没有连接？）。它的照片都保留着`);
      expect(z.stderr).not.toMatch(/is not there|is offline|\] warn /);
      expect(e.stderr).toMatch(/offline: .*away is not there/);
    } finally {
      fs.renameSync(`${away}-unplugged`, away);
    }
  }, SLOW);

  it('watch gives a running account in Chinese: the text read in the background, a photo added, a folder away and back', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, SHIGUANG_HOME: path.join(tmp, 'home'), LANG: 'zh_CN.UTF-8', SHIGUANG_FOLDER_CHECK: '1' };
    for (const k of ['LC_ALL', 'LC_MESSAGES', 'LANGUAGE', 'SHIGUANG_LANG', 'SHIGUANG_LOG']) delete env[k];
    const p = spawnCli(['--db', path.join(tmp, 'lib.db'), '--model', toy, '--threads', '1', 'watch', photos], { env });
    try {
      const watching = await p.waitFor(/^正在跟踪 /);
      // The photos were indexed with --no-ocr: their text is read now, in the background.
      await p.waitFor(/^文字识别：读了 \d+ 张照片，\d+ 张有文字，\d+ 张读不了$/, { after: watching });
      const added = p.lines.length;
      await writeColourSet(path.join(photos, 'more'), ['purple'], 1);
      await p.waitFor(/^变化：新增 1，修改 0，移动 0，复制 0，删除 0；编码 1，跳过 0$/, { after: added }); // by the watcher, or the re-check after a restart
      fs.renameSync(photos, `${photos}-away`);
      try {
        await p.waitFor(/离线（不在了：硬盘或网络共享没有连接？）。它的照片都保留着/, { after: added });
      } finally {
        fs.renameSync(`${photos}-away`, photos);
      }
      await p.waitFor(/回来了，正在跟上它的变化$/, { after: added });
      // Nothing in English: no log line at info, none of the engine's own words.
      expect(p.lines.filter((l) => /\] (info|debug) |changes: |is offline|back online|read \d+ photos/.test(l))).toEqual([]);
      await p.signal('SIGTERM');
    } finally {
      p.kill();
    }
  }, SLOW);

  it("serve prints its address in the locale's language, the address itself unchanged", async () => {
    const home = path.join(tmp, 'serve-home');
    const first = await new Promise<string>((resolve, reject) => {
      const env: NodeJS.ProcessEnv = { ...process.env, SHIGUANG_HOME: home, SHIGUANG_LOG: 'warn', LANG: 'zh_CN.UTF-8', SHIGUANG_RENDERER_DIR: path.join(tmp, 'dist') };
      for (const k of ['LC_ALL', 'LC_MESSAGES', 'LANGUAGE', 'SHIGUANG_LANG']) delete env[k];
      fs.mkdirSync(path.join(tmp, 'dist'), { recursive: true });
      fs.writeFileSync(path.join(tmp, 'dist', 'index.html'), '<!doctype html>');
      const child = execFile(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', '--db', path.join(tmp, 'lib.db'), '--model', toy, '--threads', '1', 'serve'], { env });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('按 Ctrl-C 停止')) child.kill('SIGTERM');
      });
      // Resolved once it has exited, so nothing is still writing when the folder is removed.
      child.once('exit', () => resolve(out));
      setTimeout(() => reject(new Error(`no address line in time:\n${out}`)), 240_000).unref();
    });
    expect(first).toMatch(/拾光正在 http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+ 上提供服务/);
    // The token belongs to the data directory: the same address in the file serve wrote.
    const saved = JSON.parse(fs.readFileSync(path.join(home, 'web-access.json'), 'utf8')) as { token: string; port: number };
    expect(first).toContain(`http://127.0.0.1:${saved.port}/?token=${saved.token}`);
  }, SLOW);
});

describe('choosing the language', () => {
  it('shows the log at info only for serve, whatever options come first', () => {
    expect(defaultLogLevel(['--db', 'x.db', 'serve', '--port', '0'])).toBe('info');
    expect(defaultLogLevel(['--model', 'watch', 'watch'])).toBe('warn'); // watch says what happens in its own words
    expect(defaultLogLevel(['--model', 'serve', 'index', 'serve'])).toBe('warn'); // a model folder and a photo folder named serve
    expect(defaultLogLevel(['index', '--tags', '/photos'])).toBe('warn');
    expect(defaultLogLevel([])).toBe('warn');
  });

  it('reads --lang ahead of commander, in either form, until --', () => {
    expect(langFromArgv(['search', 'x', '--lang', 'en'])).toBe('en');
    expect(langFromArgv(['--lang=zh-CN', 'status'])).toBe('zh-CN');
    expect(langFromArgv(['search', '--', '--lang', 'en'])).toBeUndefined();
  });

  it('follows LC_ALL over LC_MESSAGES over LANG, zh* as Chinese, C and others as English', () => {
    expect(systemLanguage({ LANG: 'zh_CN.UTF-8' })).toBe('zh-CN');
    expect(systemLanguage({ LANG: 'zh_TW.UTF-8' })).toBe('zh-CN');
    expect(systemLanguage({ LANG: 'C.UTF-8' })).toBe('en');
    expect(systemLanguage({ LANG: 'zh_CN.UTF-8', LC_ALL: 'C' })).toBe('en');
    expect(systemLanguage({ LANG: 'en_US.UTF-8', LC_MESSAGES: 'zh_CN.UTF-8' })).toBe('zh-CN');
    expect(systemLanguage({ LANG: 'de_DE.UTF-8' })).toBe('en');
    expect(systemLanguage({}, 'zh-Hans-CN')).toBe('zh-CN');
    expect(systemLanguage({}, 'en-US')).toBe('en');
    expect(languageOf('POSIX')).toBe('en');
    expect(resolveCliLanguage(['--lang', 'zh-CN'], { LANG: 'C' })).toBe('zh-CN');
    expect(resolveCliLanguage([], { LANG: 'C', SHIGUANG_LANG: 'zh-CN' })).toBe('zh-CN');
    expect(() => resolveCliLanguage(['--lang', 'fr'], { LANG: 'C' })).toThrow(/--lang must be zh-CN or en, got fr/);
  });
});
