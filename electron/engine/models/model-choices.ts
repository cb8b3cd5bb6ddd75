/**
 * The model chooser's list: every catalogue entry (with the paper's figures and what it costs to
 * download), then installed models outside the catalogue (imports, test models), then a model
 * opened from a directory outside the models dir (--model), each marked installed / active /
 * serving, with the reason when it cannot be used.
 */
import type { ApiErrorDetail, ModelChoice, ModelPrecision } from '../../shared/api.ts';
import type { ModelManifest } from '../ml/manifest.ts';
import { estimateBytes, type Catalogue } from './catalogue.ts';
import { exportRouteText } from './download-registry.ts';
import type { InstalledModel } from './install.ts';
import { figuresFromManifest } from './quantize-registry.ts';

export interface ChoiceState {
  catalogue: Catalogue;
  installed: InstalledModel[];
  /** The chosen model (the engine's target during a switch). */
  activeId: string | null;
  /** The model answering queries now. */
  servingId: string | null;
  /** The open model's manifest, when it was opened from outside the models dir. */
  current: ModelManifest | null;
  /** Why the chosen model is not open. */
  /** Why the chosen model is not serving: English for the log, and its reason for the UI (default model-open-failed). */
  modelError: { id: string | null; message: string; reason?: 'model-open-failed' | 'model-not-installed' } | null;
}

export function listModelChoices(s: ChoiceState): ModelChoice[] {
  const errorFor = (id: string, inst?: InstalledModel): string | null =>
    inst?.error ?? (s.modelError && s.modelError.id === id ? s.modelError.message : null);
  // The same, as a reason the UI words in its language (the message above is English, for logs).
  const detailFor = (id: string, name: string, inst?: InstalledModel): ApiErrorDetail | null =>
    inst?.error ? { reason: 'model-unusable', model: name } : s.modelError && s.modelError.id === id ? { reason: s.modelError.reason ?? 'model-open-failed', model: name } : null;
  const out: ModelChoice[] = s.catalogue.models.map((e) => {
    const inst = s.installed.find((i) => i.id === e.id);
    const downloads = e.downloads.map((d) => ({ precision: d.precision as ModelPrecision, bytes: estimateBytes(e, d.precision, d) }));
    return {
      id: e.id,
      name: e.name,
      catalogued: true,
      isDefault: e.isDefault || s.catalogue.defaultModel === e.id,
      params: { totalM: e.params.totalM, imageM: e.params.imageM, textM: e.params.textM },
      embeddingDim: e.embeddingDim,
      resolution: e.resolution,
      speed: e.speed.class,
      zeroShot: { mugeT2iR1: e.zeroShot.mugeT2iR1, flickr30kCnT2iR1: e.zeroShot.flickr30kCnT2iR1, imagenetTop1: e.zeroShot.imagenetTop1 },
      downloads,
      downloadable: downloads.length > 0,
      exportRoute: downloads.length ? null : exportRouteText(e),
      installed: Boolean(inst && !inst.error),
      installedPrecision: inst?.manifest?.precision ?? null,
      installedBytes: inst ? inst.bytes : null,
      active: s.activeId === e.id,
      serving: s.servingId === e.id,
      error: errorFor(e.id, inst),
      errorDetail: detailFor(e.id, e.name, inst),
    };
  });
  const extra = (id: string, manifest: ModelManifest | undefined, inst: InstalledModel | undefined): ModelChoice => ({
    id,
    name: manifest?.name ?? id,
    catalogued: false,
    isDefault: false,
    params: null,
    embeddingDim: manifest?.embeddingDim ?? 0,
    resolution: manifest?.image.resolution ?? 0,
    speed: null,
    zeroShot: null,
    downloads: [],
    downloadable: false,
    exportRoute: null,
    installed: inst ? !inst.error : true,
    installedPrecision: manifest?.precision ?? null,
    installedBytes: inst ? inst.bytes : null,
    active: s.activeId === id,
    serving: s.servingId === id,
    error: errorFor(id, inst),
    errorDetail: detailFor(id, manifest?.name ?? id, inst),
    quantization: figuresFromManifest(manifest?.quantization),
  });
  for (const inst of s.installed) {
    if (!out.some((m) => m.id === inst.id)) out.push(extra(inst.id, inst.manifest, inst));
  }
  if (s.current && !out.some((m) => m.id === s.current!.id)) out.push(extra(s.current.id, s.current, undefined));
  return out;
}
