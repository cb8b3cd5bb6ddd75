/**
 * Greedy CTC decoding of the recogniser's per-step class probabilities: the most likely class at
 * each step, repeats merged, blanks dropped. Class 0 is the blank, class i ≥ 1 is dictionary
 * entry i − 1 (PP-OCR's ppocr_keys_v1.txt, plus a space as the last class).
 */

export interface DecodedText {
  text: string;
  /** Mean probability of the kept characters; 0 when nothing was read. */
  confidence: number;
}

/**
 * The decoder over each step's most likely class and its probability — what the recogniser
 * answers when its graph computes them (../quantize/best-class-outputs.ts).
 */
export function ctcDecodeBest(index: ArrayLike<number | bigint>, prob: ArrayLike<number>, dictionary: readonly string[]): DecodedText {
  if (index.length !== prob.length) throw new RangeError(`${index.length} class indices for ${prob.length} probabilities`);
  let text = '';
  let sum = 0;
  let kept = 0;
  let prev = -1;
  for (let t = 0; t < index.length; t++) {
    const best = Number(index[t]);
    if (best !== 0 && best !== prev) {
      const ch = dictionary[best - 1];
      if (ch === undefined) throw new RangeError(`class ${best} is outside the dictionary's ${dictionary.length} entries`);
      text += ch;
      sum += prob[t]!;
      kept++;
    }
    prev = best;
  }
  return { text, confidence: kept === 0 ? 0 : sum / kept };
}

/** `probs` holds `steps × classes` values for one crop, row-major. */
export function ctcGreedyDecode(probs: Float32Array, steps: number, classes: number, dictionary: readonly string[]): DecodedText {
  if (probs.length < steps * classes) throw new RangeError(`expected ${steps * classes} probabilities, got ${probs.length}`);
  checkClasses(classes, dictionary);
  const index = new Int32Array(steps);
  const prob = new Float32Array(steps);
  for (let t = 0; t < steps; t++) {
    const row = t * classes;
    let best = 0;
    let bestP = probs[row]!;
    for (let c = 1; c < classes; c++) {
      const p = probs[row + c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    index[t] = best;
    prob[t] = bestP;
  }
  return ctcDecodeBest(index, prob, dictionary);
}

/** Throws unless the recogniser's classes are the dictionary's entries plus the blank. */
export function checkClasses(classes: number, dictionary: readonly string[]): void {
  if (dictionary.length + 1 !== classes) {
    throw new RangeError(`the recogniser has ${classes} classes but the dictionary gives ${dictionary.length + 1} (entries + blank)`);
  }
}

/** The dictionary file's lines (one character each), with the trailing space class when used. */
export function parseDictionary(fileText: string, useSpaceChar: boolean): string[] {
  const lines = fileText.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (useSpaceChar) lines.push(' ');
  return lines;
}
