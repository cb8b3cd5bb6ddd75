/**
 * `inspect …`: how a user checks a model export against the official pipeline — token ids,
 * preprocessed pixels (same layout as ../shared/golden/preprocess.json), embeddings, and what the
 * loader sees in a model directory; and the text OCR reads in a photo.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { action, appConfig, printJson } from '../context.ts';
import { chosenModelDir, runtimeSession } from '../../engine/app/model-choice.ts';
import { ChineseClipTokenizer, defaultVocabPath } from '../../engine/ml/tokenizer.ts';
import { resolveModelDir } from '../../engine/ml/model-dir.ts';
import { ModelRuntime } from '../../engine/ml/model-runtime.ts';
import { preprocess, type PreprocessSpec } from '../../engine/media/decode.ts';
import { tensorStats } from '../../engine/media/stats.ts';
import { CLIP_MEAN, CLIP_STD } from '../../engine/ml/manifest.ts';
import { PhotoReader } from '../../engine/ocr/photo-reader.ts';
import { t } from '../i18n.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The model's tokenizer/spec when a model is given; otherwise the official defaults. */
function tokenizerFor(cmd: Command): ChineseClipTokenizer {
  const config = appConfig(cmd);
  if (config.modelDir) {
    const m = resolveModelDir(config.modelDir);
    return ChineseClipTokenizer.fromVocabFile(m.vocabPath, { contextLength: m.manifest.text.contextLength });
  }
  return ChineseClipTokenizer.fromVocabFile(defaultVocabPath(), { contextLength: 52 });
}

function specFor(cmd: Command): PreprocessSpec {
  const config = appConfig(cmd);
  if (config.modelDir) {
    const { resolution, mean, std, resize } = resolveModelDir(config.modelDir).manifest.image;
    return { resolution, mean, std, resize };
  }
  return { resolution: 224, mean: CLIP_MEAN, std: CLIP_STD, resize: 'bicubic' };
}

export function registerInspectCommands(program: Command): void {
  const inspect = program.command('inspect').description(t('inspect.description'));

  inspect
    .command('tokens')
    .description('token ids of a text (official Chinese-CLIP tokenizer, context 52)')
    .argument('[text]', '文本')
    .option('--stdin', 'read a JSON array of strings from stdin, print a JSON array of id arrays')
    .option('--json', 'print JSON')
    .action(
      action(async (text: string | undefined, opts: { stdin?: boolean; json?: boolean }, cmd: Command) => {
        const tok = tokenizerFor(cmd);
        if (opts.stdin) {
          const texts = JSON.parse(await readStdin()) as unknown;
          if (!Array.isArray(texts) || !texts.every((t) => typeof t === 'string')) throw new Error('--stdin expects a JSON array of strings');
          return printJson(texts.map((t) => tok.encode(t)));
        }
        if (text === undefined) throw new Error('give a text or --stdin');
        const ids = tok.encode(text);
        if (opts.json) return printJson(ids);
        process.stdout.write(`${tok.tokenize(text).join(' ')}\n${ids.join(' ')}\n`);
      }),
    );

  inspect
    .command('pixels')
    .description('per-channel mean/std and 8×8 pooled values of the preprocessed tensor (layout of the golden)')
    .argument('<images...>')
    .option('--json', 'print JSON')
    .action(
      action(async (images: string[], _opts: unknown, cmd: Command) => {
        const spec = specFor(cmd);
        const out = [];
        for (const img of images) {
          try {
            const { tensor, width, height, format } = await preprocess(img, spec);
            out.push({ file: path.basename(img), path: path.resolve(img), width, height, format, ...tensorStats(tensor, spec.resolution) });
          } catch (err) {
            out.push({ file: path.basename(img), path: path.resolve(img), error: err instanceof Error ? err.message : String(err) });
          }
        }
        printJson(out);
      }),
    );

  inspect
    .command('embed')
    .description('L2-normalised embeddings of images, or of a text with --text')
    .argument('[images...]')
    .option('--text <text>', 'embed this text instead')
    .option('--json', 'print JSON')
    .action(
      action(async (images: string[], opts: { text?: string }, cmd: Command) => {
        const config = appConfig(cmd);
        const runtime = ModelRuntime.load(chosenModelDir(config), runtimeSession(config));
        try {
          if (opts.text !== undefined) {
            const [v] = await runtime.embedTexts([opts.text]);
            return printJson({ text: opts.text, model: runtime.modelKey, embedding: Array.from(v) });
          }
          if (images.length === 0) throw new Error('give image paths or --text');
          const out = [];
          for (const img of images) {
            const { tensor } = await preprocess(img, runtime.preprocessSpec);
            const [v] = await runtime.embedImageTensors([tensor]);
            out.push({ file: path.resolve(img), model: runtime.modelKey, embedding: Array.from(v) });
          }
          printJson(out);
        } finally {
          await runtime.close();
        }
      }),
    );

  inspect
    .command('model')
    .description('what the loader sees in a model directory: manifest, graphs, inputs/outputs, provider')
    .argument('<dir>')
    .option('--json', 'print JSON')
    .action(
      action(async (dir: string, opts: { json?: boolean }, cmd: Command) => {
        const model = resolveModelDir(dir);
        const runtime = new ModelRuntime(model, runtimeSession(appConfig(cmd)));
        const report: Record<string, unknown> = {
          dir: model.dir,
          recognisedAs: model.recognisedAs,
          manifest: model.manifest,
          files: fs.readdirSync(model.dir).map((f) => ({ name: f, bytes: fs.statSync(path.join(model.dir, f)).size })),
        };
        try {
          for (const tower of ['image', 'text'] as const) {
            try {
              report[tower] = { ok: true, ...(await runtime.towerInfo(tower)) };
            } catch (err) {
              report[tower] = { ok: false, error: err instanceof Error ? err.message : String(err) };
              process.exitCode = 1;
            }
          }
        } finally {
          await runtime.close();
        }
        if (opts.json) return printJson(report);
        process.stdout.write(`${model.manifest.name} (${model.manifest.id}), recognised by ${model.recognisedAs} in ${model.dir}\n`);
        process.stdout.write(`embedding ${model.manifest.embeddingDim}-d, image ${model.manifest.image.resolution}px, context ${model.manifest.text.contextLength}\n`);
        for (const tower of ['image', 'text'] as const) {
          const t = report[tower] as { ok: boolean; error?: string; provider?: string; dynamicBatch?: boolean; inputs?: { name: string; type?: string; shape?: unknown[] }[]; outputs?: { name: string; type?: string; shape?: unknown[] }[] };
          if (!t.ok) {
            process.stdout.write(`${tower}: FAILED\n  ${t.error}\n`);
            continue;
          }
          const fmt = (v: { name: string; type?: string; shape?: unknown[] }): string => `${v.name} ${v.type ?? '?'} [${(v.shape ?? []).join(',')}]`;
          process.stdout.write(`${tower}: ok on ${t.provider}, batch ${t.dynamicBatch ? 'dynamic' : 'fixed'}\n`);
          process.stdout.write(`  in:  ${(t.inputs ?? []).map(fmt).join('; ')}\n  out: ${(t.outputs ?? []).map(fmt).join('; ')}\n`);
        }
      }),
    );

  inspect
    .command('ocr')
    .description('text read in images: lines, boxes (upright pixels of the original) and confidences')
    .argument('<images...>')
    .option('--json', 'print JSON')
    .action(
      action(async (images: string[], opts: { json?: boolean }, cmd: Command) => {
        const config = appConfig(cmd);
        const { provider, threads } = runtimeSession(config);
        const reader = new PhotoReader({ provider, threads }, config.ocrModel);
        const out = [];
        try {
          for (const img of images) {
            try {
              const r = await reader.read(img);
              const ms = Object.fromEntries(Object.entries(r.timings).map(([k, v]) => [k, Math.round(v)]));
              out.push({ file: path.basename(img), path: path.resolve(img), width: r.width, height: r.height, model: reader.engineKey, lines: r.lines, ms });
            } catch (err) {
              out.push({ file: path.basename(img), path: path.resolve(img), error: err instanceof Error ? err.message : String(err) });
              process.exitCode = 1;
            }
          }
        } finally {
          await reader.close();
        }
        if (opts.json) return printJson(out);
        for (const r of out) {
          if ('error' in r) {
            process.stdout.write(`${r.file}: error: ${r.error}\n`);
            continue;
          }
          process.stdout.write(`${r.file} (${r.width}×${r.height}): ${r.lines.length} line(s) in ${r.ms.totalMs} ms\n`);
          for (const l of r.lines) process.stdout.write(`  ${l.confidence.toFixed(3)}  ${l.text}  ${JSON.stringify(l.box)}\n`);
        }
      }),
    );
}
