/**
 * Local model management: import an export the user made (or copied from another machine), list
 * and remove installed models, and choose the active one. Imports are staged in
 * `<modelsDir>/.partial/` and renamed into place only after they validate, like downloads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseManifest, type ModelManifest } from '../ml/manifest.ts';
import { resolveModelDir } from '../ml/model-dir.ts';
import { OnnxModel, externalDataFiles } from '../ml/quantize/onnx-model.ts';
import { defaultSettingsFile, readSettings, updateSettings } from '../settings/settings-file.ts';
import { ApiError, reasonOf } from '../../shared/contract/errors.ts';
import { ModelError, modelRefusal } from './errors.ts';

export interface InstalledModel {
  id: string;
  dir: string;
  manifest?: ModelManifest;
  /** Why the directory is not usable, when it is not. */
  error?: string;
  bytes: number;
}

export interface ImportOptions {
  /** The engine's hook: open both graphs and run a test encode. Default: files + manifest only. */
  validate?: (modelDir: string) => Promise<unknown>;
  /** Which architecture to take when the directory holds exports of several (`vit-b-16`, `ViT-B-16`). */
  arch?: string;
  /** Which precision to take when both are present (default fp32, the CPU-friendly one). */
  precision?: 'fp32' | 'fp16';
  /** Hard-link instead of copying (same filesystem only; falls back to copying). */
  link?: boolean;
  /** Replace an installed model with the same id. */
  replace?: boolean;
}

const OFFICIAL = /^(rn50|vit-b-16|vit-l-14-336|vit-l-14|vit-h-14)\.(img|txt)\.(fp32|fp16)\.onnx$/i;
const ID = /^[a-z0-9][a-z0-9._-]*$/;

function dirBytes(dir: string): number {
  let sum = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    sum += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return sum;
}

async function place(src: string, dest: string, link: boolean): Promise<void> {
  if (link) {
    try {
      await fs.promises.link(src, dest);
      return;
    } catch {
      // Cross-device or unsupported: copy instead.
    }
  }
  // COPYFILE_FICLONE: instant copy-on-write clone where the filesystem supports it (APFS, btrfs, XFS).
  await fs.promises.copyFile(src, dest, fs.constants.COPYFILE_FICLONE);
}

/** Files that belong to a graph: itself plus external data named after it (`x.onnx.extra_file`, `x.onnx_data`). */
function graphFiles(dir: string, graph: string): string[] {
  return fs.readdirSync(dir).filter((f) => f === graph || (f.startsWith(graph) && f !== graph && fs.statSync(path.join(dir, f)).isFile()));
}

/**
 * Chooses the graphs of an official export, case-insensitively (some mirrors publish
 * `Vit-B-16.img.fp32.onnx`). Returns source name → staged name; graphs are staged under the
 * canonical lower-case name the engine recognises, external data keeps its name because the
 * .onnx file refers to it by that name.
 */
function pickOfficial(dir: string, opts: ImportOptions): Map<string, string> {
  const found = fs
    .readdirSync(dir)
    .map((f) => ({ f, m: OFFICIAL.exec(f) }))
    .filter((x): x is { f: string; m: RegExpExecArray } => x.m !== null)
    .map(({ f, m }) => ({ file: f, arch: m[1].toLowerCase(), tower: m[2].toLowerCase(), precision: m[3].toLowerCase() }));
  if (found.length === 0) {
    const expected = 'manifest.json, vit-b-16.img.fp32.onnx + vit-b-16.txt.fp32.onnx';
    throw modelRefusal('INVALID_MODEL', 'model-dir-not-a-model', { path: dir, expected }, `${dir} has no manifest.json and no official Chinese-CLIP export (expected e.g. vit-b-16.img.fp32.onnx + vit-b-16.txt.fp32.onnx)`);
  }
  const archs = [...new Set(found.map((g) => g.arch))];
  const wanted = opts.arch?.toLowerCase();
  const arch = wanted ?? (archs.length === 1 ? archs[0] : undefined);
  if (!arch) {
    throw modelRefusal('INVALID_MODEL', 'model-import-several-sizes', { path: dir, sizes: archs.join(', '), flag: '--arch' }, `${dir} holds exports of several sizes (${archs.join(', ')}); choose one with --arch`);
  }
  const staged = new Map<string, string>();
  for (const tower of ['img', 'txt']) {
    const options = found.filter((g) => g.arch === arch && g.tower === tower);
    const pick = options.find((g) => g.precision === (opts.precision ?? 'fp32')) ?? options[0];
    if (!pick) {
      throw modelRefusal('INVALID_MODEL', 'model-import-graph-missing', { path: dir, file: `${arch}.${tower}.*.onnx` }, `${dir}: the ${arch} export lacks its ${tower === 'img' ? 'image' : 'text'} graph (${arch}.${tower}.*.onnx)`);
    }
    for (const f of graphFiles(dir, pick.file)) staged.set(f, f === pick.file ? f.toLowerCase() : f);
  }
  return staged;
}

/**
 * External data a graph names that does not start with its own file name (a rewritten graph that
 * shares its original's `.extra_file`). Only small graphs are read: a graph with inline weights
 * is large and has no external data to find.
 */
async function sharedExternalData(dir: string, graph: string): Promise<string[]> {
  const file = path.join(dir, graph);
  if (fs.statSync(file).size > 64 << 20) return [];
  // Not parseable here: the validation hook (a test encode) is what judges a graph.
  const model = await OnnxModel.load(file).catch(() => null);
  return model ? externalDataFiles(model.graph).filter((f) => !f.startsWith(graph) && fs.existsSync(path.join(dir, f))) : [];
}

/** The files a manifest refers to, plus their external data and the vocabulary. */
async function manifestFiles(dir: string, manifest: ModelManifest): Promise<Map<string, string>> {
  const staged = new Map<string, string>();
  for (const graph of [manifest.image.file, manifest.text.file]) {
    if (!fs.existsSync(path.join(dir, graph))) throw modelRefusal('INVALID_MODEL', 'model-import-graph-missing', { path: dir, file: graph }, `${dir}: manifest names ${graph}, which is missing`);
    for (const f of [...graphFiles(dir, graph), ...(await sharedExternalData(dir, graph))]) staged.set(f, f);
  }
  if (manifest.text.vocab) staged.set(manifest.text.vocab, manifest.text.vocab);
  return staged;
}

export async function importModel(srcDir: string, modelsDir: string, opts: ImportOptions = {}): Promise<InstalledModel> {
  const src = path.resolve(srcDir);
  if (!fs.existsSync(src) || !fs.statSync(src).isDirectory()) throw modelRefusal('INVALID_MODEL', 'model-dir-missing', { path: src }, `not a directory: ${src}`);
  const root = path.resolve(modelsDir);
  const manifestFile = path.join(src, 'manifest.json');
  const given = fs.existsSync(manifestFile) ? readManifest(manifestFile) : undefined;
  const files = given ? await manifestFiles(src, given) : pickOfficial(src, opts);

  const staging = path.join(root, '.partial', `import-${randomBytes(4).toString('hex')}`);
  await fs.promises.mkdir(staging, { recursive: true });
  try {
    for (const [from, to] of files) {
      await fs.promises.mkdir(path.dirname(path.join(staging, to)), { recursive: true });
      await place(path.join(src, from), path.join(staging, to), opts.link ?? false);
    }
    if (given) await fs.promises.writeFile(path.join(staging, 'manifest.json'), `${JSON.stringify(given, null, 2)}\n`);
    // The engine's own recognition: completes an official export from the shipped manifests.
    const resolved = resolveModelDir(staging);
    const manifest: ModelManifest = { ...resolved.manifest, source: given?.source ?? `official Chinese-CLIP ONNX export imported from ${src}` };
    if (!ID.test(manifest.id)) throw modelRefusal('INVALID_MODEL', 'model-id-invalid', { model: manifest.id }, `model id "${manifest.id}" is not a valid directory name`);
    await fs.promises.writeFile(path.join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await fs.promises.writeFile(
      path.join(staging, 'install.json'),
      `${JSON.stringify({ id: manifest.id, importedFrom: src, installedAt: new Date().toISOString(), files: [...files.values()] }, null, 2)}\n`,
    );
    if (opts.validate) {
      try {
        await opts.validate(staging);
      } catch (err) {
        throw modelRefusal('INVALID_MODEL', 'model-test-failed', { path: src }, `${src} failed the test encode: ${err instanceof Error ? err.message : String(err)}`, err);
      }
    }
    const target = path.join(root, manifest.id);
    if (fs.existsSync(target)) {
      if (!opts.replace) {
        const ways = { replace: '--replace', remove: `models remove ${manifest.id}` };
        throw modelRefusal('ALREADY_INSTALLED', 'model-already-installed', { model: manifest.id, dir: target, ...ways }, `${manifest.id} is already installed at ${target}; use --replace or models remove ${manifest.id}`);
      }
      await fs.promises.rm(target, { recursive: true, force: true });
    }
    await fs.promises.rename(staging, target);
    return { id: manifest.id, dir: target, manifest, bytes: dirBytes(target) };
  } catch (err) {
    await fs.promises.rm(staging, { recursive: true, force: true });
    throw asImportError(err, src);
  } finally {
    await fs.promises.rmdir(path.join(root, '.partial')).catch(() => undefined);
  }
}

/** A manifest.json as given, or the refusal that says it is not one. */
function readManifest(file: string): ModelManifest {
  try {
    return parseManifest(JSON.parse(fs.readFileSync(file, 'utf8')), file);
  } catch (err) {
    throw modelRefusal('INVALID_MODEL', 'model-manifest-invalid', { file }, err instanceof Error ? err.message : String(err), err);
  }
}

/**
 * Whatever stopped an import, as a ModelError with words for the person: the engine's own
 * refusals (a folder the model resolver rejects) keep their reason, a full disk says so, anything
 * else is a failed copy.
 */
function asImportError(err: unknown, src: string): ModelError {
  if (err instanceof ModelError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const refusal = ApiError.from(err);
  if (reasonOf(refusal)) return new ModelError('INVALID_MODEL', message, { cause: err, refusal });
  if ((err as NodeJS.ErrnoException | null)?.code === 'ENOSPC') return modelRefusal('DISK_FULL', 'disk-full', {}, message, err);
  return modelRefusal('INVALID_MODEL', 'model-import-failed', { path: src }, message, err);
}

/** Installed models: every non-hidden directory of modelsDir (staging lives under `.partial`). */
export function listInstalled(modelsDir: string): InstalledModel[] {
  const root = path.resolve(modelsDir);
  if (!fs.existsSync(root)) return [];
  const out: InstalledModel[] = [];
  for (const e of fs.readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    const dir = path.join(root, e.name);
    const file = path.join(dir, 'manifest.json');
    const item: InstalledModel = { id: e.name, dir, bytes: dirBytes(dir) };
    try {
      item.manifest = parseManifest(JSON.parse(fs.readFileSync(file, 'utf8')), file);
      if (item.manifest.id !== e.name) item.error = `manifest id ${item.manifest.id} does not match directory ${e.name}`;
    } catch (err) {
      item.error = err instanceof Error ? err.message : String(err);
    }
    out.push(item);
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

export async function removeModel(id: string, modelsDir: string, opts: { configFile?: string } = {}): Promise<void> {
  if (!ID.test(id)) throw modelRefusal('NOT_INSTALLED', 'model-remove-unknown', { model: id }, `not a model id: ${id}`);
  const dir = path.join(path.resolve(modelsDir), id);
  if (!fs.existsSync(dir)) throw modelRefusal('NOT_INSTALLED', 'model-remove-unknown', { model: id }, `${id} is not installed in ${modelsDir}`);
  // Move aside first so a crash mid-delete never leaves a half model under its real name.
  const trash = path.join(path.resolve(modelsDir), '.partial', `remove-${id}-${randomBytes(4).toString('hex')}`);
  await fs.promises.mkdir(path.dirname(trash), { recursive: true });
  await fs.promises.rename(dir, trash);
  await fs.promises.rm(trash, { recursive: true, force: true });
  await fs.promises.rmdir(path.dirname(trash)).catch(() => undefined);
  const configFile = opts.configFile ?? defaultSettingsFile(modelsDir);
  if (readSettings(configFile).activeModel === id) await updateSettings(configFile, { activeModel: undefined });
}

export async function useModel(id: string, opts: { modelsDir: string; configFile?: string }): Promise<void> {
  const item = listInstalled(opts.modelsDir).find((m) => m.id === id);
  if (!item) throw modelRefusal('NOT_INSTALLED', 'model-not-installed', { model: id }, `${id} is not installed; download or import it first`);
  if (item.error) throw modelRefusal('INVALID_MODEL', 'model-unusable', { model: id }, `${id} is installed but unusable: ${item.error}`);
  await updateSettings(opts.configFile ?? defaultSettingsFile(opts.modelsDir), { activeModel: id });
}

/** The active model id: the config's choice, else the given default (the catalogue's). */
export function activeModelId(configFile: string, fallback: string): string {
  return readSettings(configFile).activeModel ?? fallback;
}
