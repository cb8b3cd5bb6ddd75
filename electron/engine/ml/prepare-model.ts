/**
 * What a model directory goes through before the model manager installs it (download or import,
 * still in its staging directory): the test encode (validate-model.ts), then short sequences for
 * the text tower when they can be proven exact for this graph (quantize/variable-length-model.ts).
 *
 * Why: the official text graph is fixed at [1, 52], so a 6-token query or tag prompt costs as much
 * as 52 tokens. The rewritten graph takes [1, n] and gives the same vector (max |Δ| ≈ 2e-7 on the
 * graphs measured), about 2.5× faster; encoding the ~6 000 tag prompts the first time drops from
 * minutes to a fraction of that. When the original graph holds its weights inline (the official fp32
 * export does), the rewritten one gets the weights in its own `.extra_file` and the original is
 * removed, so the model takes no more disk than before. A graph the proof rejects is left as it was.
 *
 * Only for directories the app manages (staging under the models dir): never run on a person's own
 * export folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { resolveModelDir } from './model-dir.ts';
import { externalDataFiles, OnnxModel } from './quantize/onnx-model.ts';
import { addVariableLengthTextInWorker } from './quantize/in-worker.ts';
import { validateModelDir } from './validate-model.ts';

export interface PrepareOptions {
  /** English lines for the log. */
  log?: (line: string) => void;
}

/** What became of the text tower (for the person: the CLI says it in their language). */
export type PreparedTextTower =
  | { kind: 'already-short' }
  | { kind: 'short'; lengths: number; maxAbsDiff: number }
  /** The proof rejected the rewritten graph (or it could not be made): the original stays. */
  | { kind: 'fixed'; why: string };

/** Files an ONNX graph reads its external data from (none when its weights are inline). */
async function externalFiles(graphFile: string): Promise<string[]> {
  const graph = await OnnxModel.load(graphFile);
  try {
    return externalDataFiles(graph.graph);
  } finally {
    await graph.close();
  }
}

export async function prepareModelDir(dir: string, opts: PrepareOptions = {}): Promise<PreparedTextTower> {
  await validateModelDir(dir);
  const model = resolveModelDir(dir);
  if (model.manifest.text.variableLength) return { kind: 'already-short' };
  const original = model.textGraph;
  const inline = (await externalFiles(original)).length === 0;
  let short: PreparedTextTower;
  try {
    // In a worker thread: rewriting and proving a 400 MB graph must not hold up the engine.
    const { proof, file } = await addVariableLengthTextInWorker(dir);
    opts.log?.(`text tower takes short sequences (${file}; proven on ${proof.lengths.length} lengths, max |Δ| ${proof.maxAbsDiff.toExponential(1)})`);
    short = { kind: 'short', lengths: proof.lengths.length, maxAbsDiff: proof.maxAbsDiff };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    opts.log?.(`text tower stays at its fixed length: ${why}`);
    return { kind: 'fixed', why };
  }
  // The rewritten graph has its own copy of inline weights: the original is no longer needed.
  if (inline) await fs.promises.rm(original, { force: true });
  await validateModelDir(dir);
  opts.log?.(`prepared ${path.basename(dir)}`);
  return short;
}
