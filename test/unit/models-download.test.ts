import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadModel, partialDirFor, type DownloadOptions, type DownloadProgress } from '../../electron/engine/models/download.ts';
import { noticeLine, type DownloadNotice } from '../../electron/engine/models/download-notices.ts';
import { ModelError } from '../../electron/engine/models/errors.ts';
import { listInstalled } from '../../electron/engine/models/install.ts';
import type { ModelSource } from '../../electron/engine/models/sources.ts';
import { fixtureModel, sha256, startHub, type FixtureHub, type FixtureModel } from './models-fixture-hub.ts';
import { rejectionOf } from '../support/rejection.ts';

let hub: FixtureHub;
let modelsDir: string;

beforeEach(async () => {
  hub = await startHub();
  modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-models-'));
});

afterEach(async () => {
  await hub.close();
  fs.rmSync(modelsDir, { recursive: true, force: true });
});

const src = (name: string, hubKind: ModelSource['hub'] = 'huggingface'): ModelSource => ({ name, base: `${hub.url}/${name}`, hub: hubKind });

function options(model: FixtureModel, extra: Partial<DownloadOptions> = {}): DownloadOptions {
  return {
    id: 'test-tiny',
    precision: 'fp32',
    sources: [src('a')],
    modelsDir,
    catalogue: model.catalogue,
    manifestFor: model.manifestFor,
    idleTimeoutMs: 5_000,
    ...extra,
  };
}

const failure = (p: Promise<unknown>): Promise<ModelError> => rejectionOf(p, ModelError);

const sizeOf = (file: string): number => (fs.existsSync(file) ? fs.statSync(file).size : 0);

const imgPath = (prefix: string): string => `/${prefix}/fixture/tiny/resolve/main/tiny.img.fp32.onnx`;

describe('downloadModel', () => {
  it('downloads every file with progress and makes the model visible only when complete', async () => {
    const model = fixtureModel();
    model.serve(hub, '/a');
    const seen: DownloadProgress[] = [];
    const result = await downloadModel(
      options(model, {
        onProgress: (p) => {
          seen.push(p);
          // Atomic install: while bytes are arriving nothing is visible under the model's name.
          expect(fs.existsSync(path.join(modelsDir, 'test-tiny'))).toBe(false);
          expect(listInstalled(modelsDir)).toEqual([]);
        },
      }),
    );

    expect(result.alreadyInstalled).toBe(false);
    const dir = path.join(modelsDir, 'test-tiny');
    expect(fs.readFileSync(path.join(dir, 'tiny.img.fp32.onnx')).equals(model.img)).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'tiny.txt.fp32.onnx')).equals(model.txt)).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')).id).toBe('test-tiny');
    const record = JSON.parse(fs.readFileSync(path.join(dir, 'install.json'), 'utf8'));
    expect(record.files.map((f: { sha256: string }) => f.sha256)).toEqual([sha256(model.img), sha256(model.txt)]);
    expect(fs.readdirSync(dir).sort()).toEqual(['install.json', 'manifest.json', 'tiny.img.fp32.onnx', 'tiny.txt.fp32.onnx']);
    expect(fs.existsSync(path.join(modelsDir, '.partial'))).toBe(false);
    expect(listInstalled(modelsDir).map((m) => m.id)).toEqual(['test-tiny']);

    const total = model.img.length + model.txt.length;
    const last = seen[seen.length - 1];
    expect(last).toMatchObject({ bytes: total, total, fileIndex: 1, fileCount: 2, source: 'a' });
    for (let i = 1; i < seen.length; i++) expect(seen[i].bytes).toBeGreaterThanOrEqual(seen[i - 1].bytes);
  });

  it('resumes an interrupted file with a Range request and a 206 answer', async () => {
    const model = fixtureModel();
    model.serve(hub, '/a');
    const part = path.join(partialDirFor(modelsDir, 'test-tiny', 'fp32'), 'tiny.img.fp32.onnx.part');
    hub.misbehave(imgPath('a'), { kind: 'drop-after', bytes: 100_000, until: () => sizeOf(part) >= 100_000 }, 1);

    const first = await failure(downloadModel(options(model, { attemptsPerSource: 1 })));
    expect(first.code).toBe('NETWORK');
    const kept = fs.statSync(part).size;
    expect(kept).toBe(100_000);
    expect(fs.existsSync(path.join(modelsDir, 'test-tiny'))).toBe(false);

    const lines: string[] = [];
    await downloadModel(options(model, { onNotice: (n) => lines.push(noticeLine(n)) }));
    const resumed = hub.requests.filter((r) => r.path === imgPath('a'));
    expect(resumed[1]).toMatchObject({ range: `bytes=${kept}-`, status: 206 });
    expect(resumed[1].ifRange).toMatch(/^"[0-9a-f]+"$/);
    expect(lines.some((l) => l.includes(`resumed at ${kept} bytes`))).toBe(true);
    expect(fs.readFileSync(path.join(modelsDir, 'test-tiny', 'tiny.img.fp32.onnx')).equals(model.img)).toBe(true);
  });

  it('retries a dropped connection within one call, resuming instead of restarting', async () => {
    const model = fixtureModel();
    model.serve(hub, '/a');
    const part = path.join(partialDirFor(modelsDir, 'test-tiny', 'fp32'), 'tiny.img.fp32.onnx.part');
    hub.misbehave(imgPath('a'), { kind: 'drop-after', bytes: 50_000, until: (start) => sizeOf(part) >= start + 50_000 }, 2);
    await downloadModel(options(model, { attemptsPerSource: 3 }));
    const reqs = hub.requests.filter((r) => r.path === imgPath('a'));
    expect(reqs).toHaveLength(3);
    expect(reqs[0].range).toBeUndefined();
    expect(reqs[1]).toMatchObject({ range: 'bytes=50000-', status: 206 });
    expect(reqs[2]).toMatchObject({ range: 'bytes=100000-', status: 206 });
    expect(fs.readFileSync(path.join(modelsDir, 'test-tiny', 'tiny.img.fp32.onnx')).equals(model.img)).toBe(true);
  });

  it('rejects a checksum mismatch, installs nothing and removes the partial file', async () => {
    const model = fixtureModel({ sha: { img: 'f'.repeat(64) } });
    model.serve(hub, '/a');
    const err = await failure(downloadModel(options(model)));
    expect(err.code).toBe('CHECKSUM_MISMATCH');
    expect(err.message).toContain(sha256(model.img));
    expect(fs.existsSync(path.join(modelsDir, 'test-tiny'))).toBe(false);
    expect(fs.existsSync(path.join(partialDirFor(modelsDir, 'test-tiny', 'fp32'), 'tiny.img.fp32.onnx.part'))).toBe(false);
    expect(listInstalled(modelsDir)).toEqual([]);
  });

  it("checks a Hugging Face x-linked-etag when the catalogue has no sha256", async () => {
    const model = fixtureModel({ sha: { img: null } });
    model.serve(hub, '/a');
    hub.misbehave(imgPath('a'), { kind: 'header', name: 'x-linked-etag', value: `"${'0'.repeat(64)}"` });
    const err = await failure(downloadModel(options(model)));
    expect(err.code).toBe('CHECKSUM_MISMATCH');
  });

  it('reports a 404 with the URL', async () => {
    const model = fixtureModel();
    const err = await failure(downloadModel(options(model)));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('404');
    expect(err.message).toContain(`${hub.url}${imgPath('a')}`);
    expect(err.attempts).toHaveLength(1);
  });

  it('gives up on a server that stops sending, with a timeout error', async () => {
    const model = fixtureModel();
    model.serve(hub, '/a');
    hub.misbehave(imgPath('a'), { kind: 'stall-after', bytes: 1_000 });
    const err = await failure(downloadModel(options(model, { idleTimeoutMs: 150, attemptsPerSource: 1 })));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/no data from \S+ for 150 ms \(stalled after 1000 bytes\)/);
  });

  it.each([500, 404])('falls back to the next source when the first answers %i', async (status) => {
    const model = fixtureModel();
    model.serve(hub, '/b');
    hub.misbehave(imgPath('a'), { kind: 'status', status });
    const result = await downloadModel(options(model, { sources: [src('a'), src('b')] }));
    expect(result.files.map((f) => new URL(f.url).pathname.split('/')[1])).toEqual(['b', 'b']);
    expect(hub.requests[0]).toMatchObject({ path: imgPath('a'), status });
    expect(fs.readFileSync(path.join(modelsDir, 'test-tiny', 'tiny.txt.fp32.onnx')).equals(model.txt)).toBe(true);
  });

  it('moves on at once from a host that refuses connections, without retrying it', async () => {
    const model = fixtureModel();
    model.serve(hub, '/b');
    const closed = await startHub();
    const deadBase = closed.url;
    await closed.close();
    const notices: DownloadNotice[] = [];
    const result = await downloadModel(
      options(model, { sources: [{ name: 'dead', base: deadBase, hub: 'huggingface' }, src('b')], attemptsPerSource: 3, onNotice: (n) => notices.push(n) }),
    );
    expect(result.files).toHaveLength(2);
    const lines = notices.map(noticeLine);
    expect(lines.filter((l) => l.includes('cannot reach'))).toHaveLength(2); // once per file
    expect(notices.filter((n) => n.kind === 'next-source').map((n) => n.kind === 'next-source' && [n.source, n.code, n.next])).toEqual([
      ['dead', 'UNREACHABLE', 'b'],
      ['dead', 'UNREACHABLE', 'b'],
    ]);
    expect(notices.some((n) => n.kind === 'retrying')).toBe(false);
  });

  it('leaves no staging directory behind when nothing could be fetched', async () => {
    const model = fixtureModel();
    await failure(downloadModel(options(model)));
    expect(fs.readdirSync(modelsDir)).toEqual([]);
  });

  it('downloads from a ModelScope style source using the mirror paths', async () => {
    const model = fixtureModel();
    model.serveModelscope(hub, '/ms');
    await downloadModel(options(model, { sources: [src('ms', 'modelscope')] }));
    expect(hub.requests[0].path).toBe('/ms/models/fixture/tiny-ms/resolve/master/models/tiny.img.fp32.onnx');
    expect(listInstalled(modelsDir).map((m) => m.id)).toEqual(['test-tiny']);
  });

  it.each([
    ['an HTML content type', 'text/html; charset=utf-8'],
    ['an HTML page labelled as binary', 'application/octet-stream'],
  ])('refuses %s where a model file was expected', async (_what, contentType) => {
    const model = fixtureModel();
    model.serve(hub, '/a');
    hub.misbehave(imgPath('a'), { kind: 'html', contentType });
    const err = await failure(downloadModel(options(model, { sources: [src('a')] })));
    expect(err.code).toBe('NOT_BINARY');
    expect(fs.existsSync(path.join(partialDirFor(modelsDir, 'test-tiny', 'fp32'), 'tiny.img.fp32.onnx.part'))).toBe(false);
  });

  it('refuses to start without enough free disk space, before any request', async () => {
    const model = fixtureModel();
    model.serve(hub, '/a');
    const err = await failure(downloadModel(options(model, { statfs: async () => ({ bavail: 10, bsize: 4096 }) })));
    expect(err.code).toBe('DISK_SPACE');
    expect(err.message).toMatch(/need about .* GB, have 0\.00 GB/);
    expect(hub.requests).toHaveLength(0);
  });

  it('keeps the files out of sight when the validation hook rejects them', async () => {
    const model = fixtureModel();
    model.serve(hub, '/a');
    let validated = '';
    const err = await failure(
      downloadModel(
        options(model, {
          validate: async (dir) => {
            validated = dir;
            expect(fs.existsSync(path.join(dir, 'manifest.json'))).toBe(true);
            throw new Error('output has 7 dims, manifest says 8');
          },
        }),
      ),
    );
    expect(err.code).toBe('INVALID_MODEL');
    expect(err.message).toContain('7 dims');
    expect(validated).toBe(partialDirFor(modelsDir, 'test-tiny', 'fp32'));
    expect(listInstalled(modelsDir)).toEqual([]);
  });

  it('stops on cancel and keeps the partial data for a later resume', async () => {
    const model = fixtureModel();
    model.serve(hub, '/a');
    hub.misbehave(imgPath('a'), { kind: 'stall-after', bytes: 20_000 });
    const controller = new AbortController();
    const err = await failure(
      downloadModel(
        options(model, {
          signal: controller.signal,
          onProgress: (p) => {
            if (p.bytes > 0) controller.abort();
          },
        }),
      ),
    );
    expect(err.code).toBe('ABORTED');
    expect(fs.statSync(path.join(partialDirFor(modelsDir, 'test-tiny', 'fp32'), 'tiny.img.fp32.onnx.part')).size).toBeGreaterThan(0);
  });

  it('refuses a second concurrent download of the same model', async () => {
    const model = fixtureModel();
    model.serve(hub, '/a');
    hub.misbehave(imgPath('a'), { kind: 'stall-after', bytes: 1_000 }, 1);
    const first = downloadModel(options(model, { idleTimeoutMs: 300, attemptsPerSource: 1 }));
    // Let the first call reach its request, then try again.
    while (!hub.requests.length) await new Promise((r) => setTimeout(r, 5));
    const second = await failure(downloadModel(options(model)));
    expect(second.code).toBe('BUSY');
    expect((await failure(first)).code).toBe('TIMEOUT');
    // The lock went with the first call: a third one may run.
    hub.misbehave(imgPath('a'), { kind: 'status', status: 500 });
    expect((await failure(downloadModel(options(model)))).code).toBe('HTTP_ERROR');
  });

  it('explains the export route when a precision is not hosted', async () => {
    const model = fixtureModel();
    const err = await failure(downloadModel(options(model, { precision: 'int8' })));
    expect(err.code).toBe('NO_HOSTED_ONNX');
    expect(err.message).toContain('downloadable: fp32');
    expect(err.message).toContain('pytorch_to_onnx.py');
  });

  it('does nothing for a model that is already installed', async () => {
    const model = fixtureModel();
    fs.mkdirSync(path.join(modelsDir, 'test-tiny'));
    fs.writeFileSync(path.join(modelsDir, 'test-tiny', 'manifest.json'), JSON.stringify(model.manifestFor()));
    const result = await downloadModel(options(model));
    expect(result.alreadyInstalled).toBe(true);
    expect(hub.requests).toHaveLength(0);
  });
});
