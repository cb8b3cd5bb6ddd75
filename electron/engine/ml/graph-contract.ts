/**
 * Check a loaded graph's inputs and outputs against what the manifest promises, so a wrong or
 * foreign export fails at load time with a message that says exactly what differs, instead of a
 * shape error deep inside the first inference.
 */
import type { ImageTowerSpec, TextTowerSpec } from './manifest.ts';

/** The subset of ORT's value metadata this check needs (kept structural for tests). */
export interface GraphValueInfo {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: ReadonlyArray<number | string>;
}

export interface GraphInfo {
  inputs: readonly GraphValueInfo[];
  outputs: readonly GraphValueInfo[];
}

export interface ContractReport {
  /** Human-readable differences; empty when the graph matches. */
  problems: string[];
  /** Whether the graph's batch axis is symbolic (or -1), i.e. accepts batches > 1. */
  dynamicBatch: boolean;
}

const isDynamic = (d: number | string | undefined): boolean => typeof d === 'string' || d === -1;

function dimsMatch(actual: ReadonlyArray<number | string>, expected: (number | null)[]): boolean {
  if (actual.length !== expected.length) return false;
  return expected.every((e, i) => e === null || isDynamic(actual[i]) || actual[i] === e);
}

function fmtShape(shape: ReadonlyArray<number | string> | undefined): string {
  return shape && shape.length ? `[${shape.join(',')}]` : '[?]';
}

function findValue(values: readonly GraphValueInfo[], name: string, kind: string, problems: string[]): GraphValueInfo | undefined {
  const v = values.find((x) => x.name === name);
  if (!v) problems.push(`${kind} "${name}" not found (graph has: ${values.map((x) => x.name).join(', ') || 'none'})`);
  return v;
}

function checkBatch(
  input: GraphValueInfo,
  declared: 'fixed' | 'dynamic',
  problems: string[],
): boolean {
  const b = input.shape?.[0];
  const dynamic = isDynamic(b);
  if (declared === 'dynamic' && !dynamic && input.shape && input.shape.length > 0) {
    problems.push(`manifest says the batch axis of "${input.name}" is dynamic but the graph fixes it to ${String(b)}`);
  }
  return dynamic;
}

export function checkImageGraph(graph: GraphInfo, spec: ImageTowerSpec, embeddingDim: number): ContractReport {
  const problems: string[] = [];
  const input = findValue(graph.inputs, spec.input, 'image input', problems);
  const output = findValue(graph.outputs, spec.output, 'image output', problems);
  let dynamicBatch = false;
  if (input) {
    if (input.type && input.type !== spec.inputDtype) problems.push(`image input "${spec.input}" is ${input.type}, manifest says ${spec.inputDtype}`);
    const r = spec.resolution;
    if (input.shape && input.shape.length && !dimsMatch(input.shape, [null, 3, r, r])) {
      problems.push(`image input "${spec.input}" has shape ${fmtShape(input.shape)}, expected [batch,3,${r},${r}]`);
    }
    dynamicBatch = checkBatch(input, spec.batch, problems);
  }
  if (output?.shape && output.shape.length && !dimsMatch(output.shape, [null, embeddingDim])) {
    problems.push(`image output "${spec.output}" has shape ${fmtShape(output.shape)}, expected [batch,${embeddingDim}]`);
  }
  return { problems, dynamicBatch };
}

export function checkTextGraph(graph: GraphInfo, spec: TextTowerSpec, embeddingDim: number): ContractReport {
  const problems: string[] = [];
  const input = findValue(graph.inputs, spec.input, 'text input', problems);
  const output = findValue(graph.outputs, spec.output, 'text output', problems);
  for (const extra of [spec.attentionMaskInput, spec.tokenTypeIdsInput]) {
    if (extra) findValue(graph.inputs, extra, 'text input', problems);
  }
  const known = new Set([spec.input, spec.attentionMaskInput, spec.tokenTypeIdsInput].filter(Boolean));
  for (const other of graph.inputs) {
    if (!known.has(other.name)) problems.push(`text graph has an input "${other.name}" that the manifest does not describe`);
  }
  let dynamicBatch = false;
  if (input) {
    if (input.type && input.type !== spec.inputDtype) problems.push(`text input "${spec.input}" is ${input.type}, manifest says ${spec.inputDtype}`);
    if (input.shape && input.shape.length && !dimsMatch(input.shape, [null, spec.contextLength])) {
      problems.push(`text input "${spec.input}" has shape ${fmtShape(input.shape)}, expected [batch,${spec.contextLength}]`);
    }
    dynamicBatch = checkBatch(input, spec.batch, problems);
  }
  if (output?.shape && output.shape.length && !dimsMatch(output.shape, [null, embeddingDim])) {
    problems.push(`text output "${spec.output}" has shape ${fmtShape(output.shape)}, expected [batch,${embeddingDim}]`);
  }
  return { problems, dynamicBatch };
}
