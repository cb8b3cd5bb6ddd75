/**
 * Development check: the first run of the web mode without a model, against the real engine.
 * The catalogue is the shipped one plus two generated test models hosted by the local fixture
 * hub (fixture-models.ts), reached through SHIGUANG_MODEL_SOURCES as a person behind a mirror
 * would set it, over a line paced at 1.5 MB/s. The hub drops the connection three times on the
 * first model's largest file, so its first download fails (every attempt) and the retry resumes.
 *
 * Then: used automatically, a folder added, the settings saved (and checked in the saved
 * settings), "change model" to the second test model, whose vectors are built in the background
 * while the first model still answers — and then it answers.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { readSettings } from '../../electron/engine/settings/settings-file.ts';
import { SOURCES_ENV } from '../../electron/engine/models/sources.ts';
import { formatBytes } from '../../renderer/src/lib/format.ts';
import { startHub, type FixtureHub } from '../unit/models-fixture-hub.ts';
import { startAppServer, type AppServer } from './app-server.ts';
import { eventually, until, type CheckContext } from './dev-support.ts';
import { fixtureModels, pacedFetch, type HostedModel } from './fixture-models.ts';
import { SHOT_TIMEOUT_MS } from './browser.ts';

const RATE = 1.5 * 1024 * 1024;
/** Photos to re-encode in the model switch: enough that it lasts while the settings are opened. */
const SWITCH_PHOTOS_PER_COLOUR = 40;

export async function firstRunChooser(ctx: CheckContext): Promise<void> {
  const fixtures = fixtureModels([
    { dir: path.join(ctx.models, 'mini-clip'), name: 'Mini CLIP（测试模型）' },
    { dir: path.join(ctx.models, 'toy-colors'), name: 'Toy colours（测试模型）' },
  ]);
  const [mini, toy] = fixtures.models as [HostedModel, HostedModel];
  const photos = path.join(ctx.tmp, 'First run photos');
  const colours = ['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'black', 'white', 'gray'] as const;
  const photoCount = (await writeColourSet(photos, colours, SWITCH_PHOTOS_PER_COLOUR)).length;
  const previousSources = process.env[SOURCES_ENV];
  let hub: FixtureHub | undefined;
  let server: AppServer | undefined;
  try {
    hub = await startHub();
    fixtures.host(hub);
    const bigFile = [...mini.files].sort((a, b) => b[1].length - a[1].length)[0]![0];
    // The downloader tries a source three times, resuming (models/download.ts): cut all three.
    hub.misbehave(mini.hubPath(bigFile), { kind: 'drop-after', bytes: 512 * 1024 }, 3);
    process.env[SOURCES_ENV] = fixtures.source(hub);
    server = await startAppServer({ root: ctx.root, home: path.join(ctx.tmp, 'home-first-run'), models: fixtures.hooks(pacedFetch(RATE)) });
    const page = await ctx.browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN', colorScheme: 'light' });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(server.url);
    await page.getByRole('heading', { name: '先选一个模型' }).waitFor();
    assert.equal(await page.getByRole('searchbox', { name: '搜索照片' }).count(), 0, 'the search box is shown without a model');

    // The chooser shows every catalogue entry with the catalogue's figures.
    const choices = await server.ipc.invoke('listModels', {});
    assert.equal(choices.length, fixtures.catalogue.models.length);
    const cards = page.locator('.model-card');
    await until(page, `document.querySelectorAll('.model-card').length === ${choices.length}`);
    const b16 = cards.filter({ hasText: 'ViT-B/16' });
    const b16Choice = choices.find((c) => c.id === 'cn-clip-vit-b-16')!;
    await b16.getByText('推荐').waitFor();
    const sizes = b16Choice.downloads.map((d) => `${d.precision} ${formatBytes(d.bytes, 'zh-CN')}`).join(' · ');
    const figures = [`${b16Choice.params!.totalM}M`, String(b16Choice.embeddingDim), `${b16Choice.resolution} × ${b16Choice.resolution}`, '快', `${b16Choice.zeroShot!.mugeT2iR1}%`, `${b16Choice.zeroShot!.flickr30kCnT2iR1}%`, sizes];
    for (const text of figures) await b16.getByText(text, { exact: false }).first().waitFor();
    const h14 = cards.filter({ hasText: 'ViT-H/14' });
    assert.equal(await h14.getByRole('button', { name: /^下载/ }).count(), 0, 'a non-downloadable model offers download');
    // Said in words: the installed app has no command line, so no commands and no backticks (the
    // export steps show only in a development build).
    await h14.getByText('这个尺寸没有现成的下载版本', { exact: false }).waitFor();
    assert.equal(await h14.locator('pre').count(), 0, 'developer commands shown in the built app');
    assert.doesNotMatch(await h14.innerText(), /`|npm run|models import/, 'the card shows a command');
    // A model without published figures shows a dash for them.
    const miniCard = cards.filter({ hasText: mini.name });
    assert.equal(await miniCard.getByText('—', { exact: true }).count(), 2, 'the test model shows its missing zero-shot figures');
    await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(ctx.shots, 'ui-first-run-chooser.png') });

    // First attempt: the hub drops the connection on every try of the largest file → message + retry.
    await miniCard.getByRole('button', { name: `下载 ${mini.name}` }).click();
    await miniCard.getByRole('progressbar').waitFor();
    // The failure in Chinese, from its code and parameters (no engine English on the screen).
    await miniCard.getByText(/下载失败：与 .+ 的连接中断了/).waitFor({ timeout: 60_000 });
    await miniCard.getByText('已下载的部分会保留，重试时接着下载').waitFor();
    const dropped = hub.requests.filter((r) => r.path === mini.hubPath(bigFile));
    assert.equal(dropped.length, 3, `expected three tries of ${bigFile}: ${JSON.stringify(dropped)}`);
    await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(ctx.shots, 'ui-first-run-failed.png') });

    await miniCard.getByRole('button', { name: `重试下载 ${mini.name}` }).click();
    await miniCard.getByRole('progressbar', { name: `${mini.name} 下载进度` }).waitFor();
    await until(page, `(() => { const v = Number(document.querySelector('.model-card [role="progressbar"]')?.getAttribute('aria-valuenow')); return v >= 30 && v < 90; })()`);
    const total = [...mini.files.values()].reduce((n, b) => n + b.length, 0);
    await miniCard.getByText(`/ ${formatBytes(total, 'zh-CN')}`).waitFor();
    await miniCard.getByText(/MB\/秒/).waitFor();
    await miniCard.getByText(/剩余约/).waitFor();
    await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(ctx.shots, 'ui-first-run-downloading.png') });
    // Done → used automatically → the library UI.
    await page.getByRole('searchbox', { name: '搜索照片' }).waitFor({ timeout: 60_000 });
    await page.getByRole('region', { name: '图库' }).waitFor();
    await page.getByText(`已启用 ${mini.name}`).waitFor();
    // The retry resumed the kept part of the file instead of starting it again.
    const retried = hub.requests.filter((r) => r.path === mini.hubPath(bigFile)).slice(3);
    assert.ok(retried[0]?.range && /^bytes=[1-9]\d*-$/.test(retried[0].range), `the retry did not resume: ${JSON.stringify(retried)}`);

    // Add photos so the later switch has vectors to rebuild.
    const library = page.getByRole('region', { name: '图库' });
    await library.getByLabel('文件夹路径（服务器上）').fill(photos);
    await library.getByRole('button', { name: '添加', exact: true }).click();
    await until(page, `document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow') === '100'`, 180_000);
    await eventually(`${photoCount} photos indexed`, async () => (await server!.app.status()).counts.indexed === photoCount, 60_000);

    // Settings: provider, threads, sources; save.
    await page.getByRole('button', { name: '设置' }).click();
    const dialog = page.getByRole('dialog', { name: '设置' });
    await dialog.getByText(mini.name).first().waitFor();
    const provider = dialog.getByLabel('推理设备');
    assert.equal(await provider.locator('option:checked').textContent(), '自动');
    await dialog.getByText(`环境变量 ${SOURCES_ENV} 已设置`).waitFor();
    await dialog.getByRole('button', { name: '上移 hf-mirror' }).click();
    await dialog.getByLabel('自定义下载源').fill('hf:https://models.example.cn');
    await dialog.getByLabel('自定义下载源').press('Enter');
    await dialog.getByLabel('线程数').fill('0');
    await dialog.getByText('线程数必须是 1 到 1024 之间的整数').waitFor();
    await dialog.getByLabel('线程数').fill('2');
    await provider.selectOption('cpu');
    await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(ctx.shots, 'ui-settings.png') });
    await dialog.getByRole('button', { name: '保存' }).click();
    await page.getByText('设置已保存').waitFor({ timeout: 60_000 });
    const sources = ['hf-mirror', 'huggingface', 'modelscope', 'hf:https://models.example.cn'];
    const saved = await server.ipc.invoke('settings', {});
    assert.deepEqual({ provider: saved.provider, threads: saved.threads, sources: saved.sources }, { provider: 'cpu', threads: 2, sources });
    const file = readSettings(server.paths.config);
    assert.deepEqual({ provider: file.provider, threads: file.threads, modelSources: file.modelSources, activeModel: file.activeModel }, { provider: 'cpu', threads: 2, modelSources: sources, activeModel: mini.id });
    assert.equal((await server.app.status()).provider?.name, 'cpu');

    // Change model: the chooser comes back with a way out; the old model serves during the switch.
    await page.getByRole('button', { name: '设置' }).click();
    await dialog.getByRole('button', { name: '更换模型' }).click();
    await page.getByRole('heading', { name: '更换模型' }).waitFor();
    await page.getByText('切换期间仍使用旧模型搜索').first().waitFor();
    await page.getByRole('button', { name: '返回图库' }).waitFor();
    await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(ctx.shots, 'ui-change-model.png') });
    const toyCard = cards.filter({ hasText: toy.name });
    await toyCard.getByRole('button', { name: `下载 ${toy.name}` }).click();
    await toyCard.getByRole('button', { name: `使用 ${toy.name}` }).click({ timeout: 30_000 });
    await page.getByRole('searchbox', { name: '搜索照片' }).waitFor();
    await page.getByRole('button', { name: '设置' }).click();
    await dialog.getByText(`正在切换到 ${toy.name}，后台重新计算向量中。切换期间仍使用旧模型搜索。`).waitFor({ timeout: 5_000 }).catch(async () => {
      const s = await server!.app.status();
      throw new Error(`no switching note in the settings (serving ${s.model?.id}; ${photoCount} photos: the switch may have finished before the dialog opened)`);
    });
    await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(ctx.shots, 'ui-settings-switching.png') });
    assert.equal((await server.app.status()).model?.id, mini.id, 'the old model stopped serving during the switch');
    // The switch completes: the new model answers.
    await eventually(`${toy.id} serving`, async () => (await server!.app.status()).model?.id === toy.id, 120_000);
    await page.keyboard.press('Escape');
    await page.getByRole('searchbox', { name: '搜索照片' }).fill('红色');
    const first = page.getByRole('list', { name: '搜索结果' }).getByRole('button').first();
    await first.waitFor();
    assert.match((await first.getAttribute('aria-label')) ?? '', /^red-\d+\.jpg/);
    assert.deepEqual(problems, []);
    console.log(`  ✓ first run: chooser → failed download → retry (resumed) → progress → used → library; settings saved; switch with ${photoCount} photos`);
  } finally {
    await server?.close();
    await hub?.close();
    if (previousSources === undefined) delete process.env[SOURCES_ENV];
    else process.env[SOURCES_ENV] = previousSources;
  }
}
