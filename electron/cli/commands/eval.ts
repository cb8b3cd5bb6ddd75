/**
 * `eval zeroshot`: top-1/top-5 accuracy of the model on a folder of labelled images, with the
 * same prompt ensembles the tags use — how someone with the real weights checks them against the
 * paper. Labels use the layout of ../shared/photos/labels.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { z } from 'zod';
import { action, appConfig, printJson } from '../context.ts';
import { chosenModelDir, runtimeSession } from '../../engine/app/model-choice.ts';
import { ModelRuntime } from '../../engine/ml/model-runtime.ts';
import { preprocess } from '../../engine/media/decode.ts';
import { evaluateZeroShot, loadClassNames, loadPromptTemplates } from '../../engine/tags/eval.ts';
import { evaluateRelevance, type LabelledQuery } from '../../engine/search/relevance-eval.ts';
import { t } from '../i18n.ts';

const labelsSchema = z.object({
  photos: z.array(z.object({ file: z.string(), imagenet_class: z.number().int().min(0).optional(), label_cn: z.string() })).min(1),
});

function defaultTemplatesFile(): string {
  const base = process.env.SHIGUANG_RESOURCES ?? fileURLToPath(new URL('../../../resources/', import.meta.url));
  return path.join(base, 'prompt_templates.json');
}

export function registerEvalCommands(program: Command): void {
  const ev = program.command('eval').description(t('eval.description'));
  ev.command('zeroshot')
    .description(t('eval.zeroshot.description'))
    .requiredOption('--images <dir>', t('eval.opt.images'))
    .requiredOption('--labels <file>', 'labels.json: {"photos":[{"file","imagenet_class"?,"label_cn"}]}')
    .option('--classes <file>', 'class names, one per line, line = class index (e.g. imagenet_label_cn.txt); default: the distinct label_cn values')
    .option('--templates <file>', 'prompt_templates.json (default: the official one shipped in resources/)')
    .option('--family <name>', 'template family', 'openai')
    .option('--json', 'machine-readable')
    .action(
      action(async (opts: { images: string; labels: string; classes?: string; templates?: string; family: string; json?: boolean }, cmd: Command) => {
        const labels = labelsSchema.parse(JSON.parse(fs.readFileSync(opts.labels, 'utf8')));
        let classNames: string[];
        let labelIdx: number[];
        if (opts.classes) {
          classNames = loadClassNames(opts.classes);
          labelIdx = labels.photos.map((p) => {
            const i = p.imagenet_class ?? classNames.indexOf(p.label_cn);
            if (i < 0 || i >= classNames.length) throw new Error(`${p.file}: class ${p.label_cn} not in ${opts.classes}`);
            return i;
          });
        } else {
          classNames = [...new Set(labels.photos.map((p) => p.label_cn))];
          labelIdx = labels.photos.map((p) => classNames.indexOf(p.label_cn));
        }
        const templates = loadPromptTemplates(opts.templates ?? defaultTemplatesFile(), opts.family);
        const config = appConfig(cmd);
        const runtime = ModelRuntime.load(chosenModelDir(config), runtimeSession(config));
        try {
          const vectors: Float32Array[] = [];
          for (const p of labels.photos) {
            const { tensor } = await preprocess(path.join(opts.images, p.file), runtime.preprocessSpec);
            vectors.push((await runtime.embedImageTensors([tensor]))[0]);
          }
          const r = await evaluateZeroShot({ imageVectors: vectors, labels: labelIdx, classNames, templates, embedder: runtime });
          const out = { model: runtime.modelKey, images: r.n, classes: classNames.length, templates: templates.length, top1: r.top1, top5: r.top5 };
          if (opts.json) return printJson(out);
          process.stdout.write(`${out.model}: ${out.images} images, ${out.classes} classes, ${out.templates} templates\ntop-1 ${(r.top1 * 100).toFixed(1)}%  top-5 ${(r.top5 * 100).toFixed(1)}%\n`);
        } finally {
          await runtime.close();
        }
      }),
    );

  ev.command('relevance')
    .description(t('eval.relevance.description'))
    .requiredOption('--images <dir>', t('eval.opt.images'))
    .requiredOption('--labels <file>', t('eval.opt.labels'))
    .option('--template <text>', t('eval.opt.template'), '{}')
    .option('--none <queries>', t('eval.opt.none'))
    .option('--sensitivity <n>', t('eval.opt.sensitivity'), '0')
    .option('--dump <file>', t('eval.opt.dump'))
    .option('--json', t('opt.json'))
    .action(
      action(async (opts: { images: string; labels: string; template: string; none?: string; sensitivity: string; dump?: string; json?: boolean }, cmd: Command) => {
        const labels = labelsSchema.parse(JSON.parse(fs.readFileSync(opts.labels, 'utf8')));
        const sensitivity = Number(opts.sensitivity);
        if (!Number.isFinite(sensitivity)) throw new Error(`--sensitivity must be a number, got ${opts.sensitivity}`);
        const config = appConfig(cmd);
        const runtime = ModelRuntime.load(chosenModelDir(config), runtimeSession(config));
        try {
          const photos: Float32Array[] = [];
          for (const p of labels.photos) {
            const { tensor } = await preprocess(path.join(opts.images, p.file), runtime.preprocessSpec);
            photos.push((await runtime.embedImageTensors([tensor]))[0]);
          }
          const byLabel = new Map<string, Set<number>>();
          labels.photos.forEach((p, i) => byLabel.set(p.label_cn, (byLabel.get(p.label_cn) ?? new Set()).add(i)));
          const texts = [...byLabel.keys()].map((l) => ({ query: opts.template.replaceAll('{}', l), answers: byLabel.get(l)! }));
          for (const q of (opts.none ?? '').split(',').map((x) => x.trim()).filter(Boolean)) texts.push({ query: q, answers: new Set() });
          const vecs = await runtime.embedTexts(texts.map((t) => t.query));
          const queries: LabelledQuery[] = texts.map((t, i) => ({ ...t, vec: vecs[i]! }));
          const r = evaluateRelevance(photos, queries, { sensitivity, dump: Boolean(opts.dump) });
          if (opts.dump) fs.writeFileSync(opts.dump, `${JSON.stringify({ model: runtime.modelKey, sensitivity, ...r }, null, 1)}\n`);
          const summary = { model: runtime.modelKey, photos: r.photos, queries: r.queries, precision: r.precision, recall: r.recall, f1: r.f1, emptyWhenNothing: r.emptyWhenNothing, medianRelevant: r.medianRelevant };
          if (opts.json) return printJson({ ...summary, outcomes: r.outcomes.map(({ scores: _scores, ...o }) => o) });
          const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;
          process.stdout.write(
            `${summary.model}: ${r.photos} photos, ${r.queries} queries\n` +
              `precision ${pct(r.precision)}  recall ${pct(r.recall)}  F1 ${pct(r.f1)}  median kept ${r.medianRelevant}` +
              (r.emptyWhenNothing === null ? '' : `  queries without answers that kept nothing ${pct(r.emptyWhenNothing)}`) +
              '\n',
          );
          for (const o of r.outcomes) {
            process.stdout.write(`  ${o.query}: kept ${o.relevant} (${o.method}), answers inside ${o.found}/${o.answers}, first answer at ${o.firstAnswerRank || '—'}\n`);
          }
        } finally {
          await runtime.close();
        }
      }),
    );
}
