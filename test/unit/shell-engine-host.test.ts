import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, apiServices } from '../../electron/shared/api.ts';
import { ApiRouter } from '../../electron/shared/router.ts';
import { servicesFrom, type FlatHandlers } from './fake-services.ts';
import { ENGINE_MEDIA_FILE, ENGINE_MEDIA_ROOTS, ENGINE_PHOTO_CLIP, ENGINE_THUMBNAIL_ROOTS, type EngineRequest } from '../../electron/shared/ipc.ts';
import { backoffDelay, DEFAULT_BACKOFF, nextFailureCount } from '../../electron/main/backoff.ts';
import { RpcClient } from '../../electron/main/rpc-client.ts';
import { EngineSupervisor, type ChildLike } from '../../electron/main/engine-supervisor.ts';
import { handleEngineRequest, serveEngine, type ServedEngine } from '../../electron/main/engine-serve.ts';
import { ENGINE_SERVICES, forwardEngineServices, remoteMedia } from '../../electron/main/engine-client.ts';

describe('backoff', () => {
  it('grows exponentially up to the cap', () => {
    const o = { ...DEFAULT_BACKOFF, initialMs: 100, factor: 2, maxMs: 1000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, o))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(0, o)).toBe(0);
  });

  it('forgives failures after a stable run', () => {
    const o = { ...DEFAULT_BACKOFF, stableMs: 1000 };
    expect(nextFailureCount(4, null, o)).toBe(5);
    expect(nextFailureCount(4, 999, o)).toBe(5);
    expect(nextFailureCount(4, 1000, o)).toBe(1);
  });
});

describe('RpcClient', () => {
  it('correlates replies by id, in any order', async () => {
    const sent: EngineRequest[] = [];
    const rpc = new RpcClient((m) => sent.push(m));
    const a = rpc.call('search', { query: 'a' });
    const b = rpc.call('status', {});
    expect(sent.map((s) => s.method)).toEqual(['search', 'status']);
    expect(rpc.handleMessage({ id: sent[1].id, ok: true, result: 'B' })).toBe(true);
    expect(rpc.handleMessage({ id: sent[0].id, ok: false, error: { code: 'NOT_FOUND', message: 'nope' } })).toBe(true);
    await expect(b).resolves.toBe('B');
    await expect(a).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'nope' });
    expect(rpc.inFlight).toBe(0);
  });

  it('ignores messages that are not responses and late replies', () => {
    const rpc = new RpcClient(() => {});
    expect(rpc.handleMessage({ type: 'ready' })).toBe(false);
    expect(rpc.handleMessage('hello')).toBe(false);
    expect(rpc.handleMessage({ id: 99, ok: true, result: 1 })).toBe(true);
  });

  it('rejects everything in flight on failAll', async () => {
    const rpc = new RpcClient(() => {});
    const p = [rpc.call('a', {}), rpc.call('b', {})];
    rpc.failAll(new ApiError('ENGINE_UNAVAILABLE', 'died'));
    for (const x of p) await expect(x).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE' });
    expect(rpc.inFlight).toBe(0);
  });

  it('rejects when sending throws, and on timeout', async () => {
    vi.useFakeTimers();
    try {
      const broken = new RpcClient(() => {
        throw new Error('channel closed');
      });
      await expect(broken.call('status', {})).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE' });
      const slow = new RpcClient(() => {}, 1000);
      const p = slow.call('status', {});
      const assertion = expect(p).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE' });
      vi.advanceTimersByTime(1000);
      await assertion;
      expect(slow.inFlight).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

/** A scriptable stand-in for the utility process. */
class FakeChild implements ChildLike {
  sent: unknown[] = [];
  killed = false;
  private msgCb: ((m: unknown) => void) | null = null;
  private exitCb: ((c: number | null) => void) | null = null;
  postMessage(msg: unknown): void {
    if (this.exitedWith !== undefined) throw new Error('process is gone');
    this.sent.push(msg);
  }
  onMessage(cb: (m: unknown) => void): void {
    this.msgCb = cb;
  }
  onExit(cb: (c: number | null) => void): void {
    this.exitCb = cb;
  }
  kill(): void {
    this.killed = true;
    this.exit(null);
  }
  exitedWith: number | null | undefined = undefined;
  emit(msg: unknown): void {
    this.msgCb?.(msg);
  }
  exit(code: number | null): void {
    if (this.exitedWith !== undefined) return;
    this.exitedWith = code;
    this.exitCb?.(code);
  }
  requests(): EngineRequest[] {
    return this.sent.filter((m): m is EngineRequest => typeof (m as EngineRequest).id === 'number');
  }
  /** Answer every request not answered yet with `result(method)`. */
  answerAll(result: (method: string) => unknown): void {
    for (const r of this.requests().splice(0)) this.emit({ id: r.id, ok: true, result: result(r.method) });
    this.sent = this.sent.filter((m) => typeof (m as EngineRequest).id !== 'number');
  }
}

describe('EngineSupervisor', () => {
  let children: FakeChild[];
  let sup: EngineSupervisor;
  const last = () => children[children.length - 1];

  beforeEach(() => {
    vi.useFakeTimers();
    children = [];
    sup = new EngineSupervisor({
      spawn: () => {
        const c = new FakeChild();
        children.push(c);
        return c;
      },
      backoff: { initialMs: 100, factor: 2, maxMs: 1000, stableMs: 10_000, maxConsecutiveFailures: 3 },
      readyWaitMs: 5_000,
      requestTimeoutMs: 0,
      timers: { setTimeout, clearTimeout, now: () => Date.now() },
    });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('queues calls until the engine is ready, then forwards them', async () => {
    sup.start();
    expect(sup.state).toBe('starting');
    const p = sup.call('status', {});
    expect(last().requests()).toHaveLength(0);
    last().emit({ type: 'ready' });
    expect(sup.state).toBe('ready');
    expect(last().requests().map((r) => r.method)).toEqual(['status']);
    last().answerAll(() => 'ok');
    await expect(p).resolves.toBe('ok');
  });

  it('fails a waiting call after readyWaitMs instead of hanging', async () => {
    sup.start();
    const p = sup.call('status', {});
    const assertion = expect(p).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE', message: expect.stringContaining('starting') });
    vi.advanceTimersByTime(5_000);
    await assertion;
  });

  it('rejects in-flight calls when the process dies, then restarts with back-off', async () => {
    sup.start();
    last().emit({ type: 'ready' });
    const inflight = sup.call('addFolder', { path: '/x' });
    last().exit(1);
    await expect(inflight).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE', message: expect.stringContaining('code 1') });
    expect(sup.state).toBe('backoff');
    expect(children).toHaveLength(1);
    vi.advanceTimersByTime(99);
    expect(children).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(children).toHaveLength(2);
    // A call during the restart waits for the new process.
    const p = sup.call('status', {});
    last().emit({ type: 'ready' });
    last().answerAll(() => 'back');
    await expect(p).resolves.toBe('back');
  });

  it('backs off exponentially across quick crashes and gives up after the limit', async () => {
    sup.start();
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = Date.now();
      last().exit(1);
      const n = children.length;
      while (children.length === n) vi.advanceTimersByTime(1);
      delays.push(Date.now() - before);
    }
    expect(delays).toEqual([100, 200, 400]);
    last().exit(1);
    expect(sup.state).toBe('failed');
    vi.advanceTimersByTime(60_000);
    expect(children).toHaveLength(4);
    await expect(sup.call('status', {})).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE' });
    // A manual restart tries again.
    sup.restart();
    expect(children).toHaveLength(5);
  });

  it('resets the back-off after a long healthy run', () => {
    sup.start();
    last().exit(1); // failure 1 → 100 ms
    vi.advanceTimersByTime(100);
    last().exit(1); // failure 2 → 200 ms
    vi.advanceTimersByTime(200);
    last().emit({ type: 'ready' });
    vi.advanceTimersByTime(10_000);
    last().exit(1); // healthy for stableMs → back to 100 ms
    const n = children.length;
    vi.advanceTimersByTime(100);
    expect(children.length).toBe(n + 1);
  });

  it('fails calls at once with the reason when the engine reports a fatal start error', async () => {
    sup.start();
    const waiting = sup.call('status', {});
    last().emit({ type: 'fatal', error: { code: 'MODEL_ERROR', message: 'no model selected' } });
    await expect(waiting).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE', message: expect.stringContaining('no model selected') });
    last().exit(1);
    await expect(sup.call('status', {})).rejects.toMatchObject({ message: expect.stringContaining('no model selected') });
    // Once a later start succeeds, calls work again.
    vi.advanceTimersByTime(100);
    last().emit({ type: 'ready' });
    const ok = sup.call('status', {});
    last().answerAll(() => 1);
    await expect(ok).resolves.toBe(1);
  });

  it('treats a throwing spawn as a failed start', () => {
    let fail = true;
    const s = new EngineSupervisor({
      spawn: () => {
        if (fail) throw new Error('ENOENT engine-process.js');
        const c = new FakeChild();
        children.push(c);
        return c;
      },
      backoff: { initialMs: 100, maxConsecutiveFailures: 5 },
      timers: { setTimeout, clearTimeout, now: () => Date.now() },
    });
    s.start();
    expect(s.state).toBe('backoff');
    fail = false;
    vi.advanceTimersByTime(100);
    expect(s.state).toBe('starting');
  });

  it('stops gracefully: asks for shutdown, does not restart, fails new calls', async () => {
    sup.start();
    last().emit({ type: 'ready' });
    const child = last();
    const stopped = sup.stop(3_000);
    expect(child.sent).toContainEqual({ type: 'shutdown' });
    child.exit(0);
    await stopped;
    expect(child.killed).toBe(false);
    vi.advanceTimersByTime(60_000);
    expect(children).toHaveLength(1);
    await expect(sup.call('status', {})).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE' });
  });

  it('kills an engine that ignores the shutdown request', async () => {
    sup.start();
    last().emit({ type: 'ready' });
    const child = last();
    const stopped = sup.stop(3_000);
    vi.advanceTimersByTime(3_000);
    await stopped;
    expect(child.killed).toBe(true);
  });
});

describe('engine-serve', () => {
  function engine(): ServedEngine {
    const h: FlatHandlers = {};
    for (const s of ENGINE_SERVICES) for (const m of apiServices[s]) h[m] = async (r) => ({ method: m, req: r });
    h.photo = async () => {
      throw new ApiError('NOT_FOUND', 'gone');
    };
    return {
      router: new ApiRouter('ipc').registerAll(servicesFrom(h, ENGINE_SERVICES)),
      media: {
        mediaFile: async (id, kind) => `/lib/${kind}/${id}.jpg`,
        photoClip: async (id) => ({ file: `/lib/MVIMG_${id}.jpg`, offset: 1000, length: 500 }),
        libraryRoots: async () => ['/lib'],
        thumbnailRoots: async () => ['/cache'],
      },
    };
  }

  it('validates API requests again and applies defaults', async () => {
    expect(await handleEngineRequest(engine(), { id: 1, method: 'search', payload: { query: '猫' } })).toEqual({
      id: 1,
      ok: true,
      result: { method: 'search', req: { query: '猫', limit: 200, mode: 'all', filter: {}, understand: true } },
    });
    const bad = await handleEngineRequest(engine(), { id: 2, method: 'search', payload: { query: 5 } });
    expect(bad).toMatchObject({ id: 2, ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await handleEngineRequest(engine(), { id: 3, method: 'rm -rf', payload: {} })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await handleEngineRequest(engine(), { id: 4, method: 'photo', payload: { photoId: 1 } })).toEqual({
      id: 4,
      ok: false,
      error: { code: 'NOT_FOUND', message: 'gone' },
    });
  });

  it('answers media lookups and validates them', async () => {
    expect(await handleEngineRequest(engine(), { id: 1, method: ENGINE_MEDIA_FILE, payload: { photoId: 3, kind: 'thumb' } })).toMatchObject({
      result: '/lib/thumb/3.jpg',
    });
    expect(await handleEngineRequest(engine(), { id: 2, method: ENGINE_MEDIA_FILE, payload: { photoId: 3, kind: '../x' } })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await handleEngineRequest(engine(), { id: 3, method: ENGINE_MEDIA_ROOTS, payload: {} })).toMatchObject({ result: ['/lib'] });
    expect(await handleEngineRequest(engine(), { id: 4, method: ENGINE_THUMBNAIL_ROOTS, payload: {} })).toMatchObject({ result: ['/cache'] });
    // A photo's clip (a motion photo's MP4 inside its JPEG): the slice, not a path.
    expect(await handleEngineRequest(engine(), { id: 5, method: ENGINE_PHOTO_CLIP, payload: { photoId: 7 } })).toMatchObject({ result: { file: '/lib/MVIMG_7.jpg', offset: 1000, length: 500 } });
    expect(await handleEngineRequest(engine(), { id: 6, method: ENGINE_PHOTO_CLIP, payload: { photoId: -1 } })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    // 'live' is not a file kind: clips go through photoClip.
    expect(await handleEngineRequest(engine(), { id: 7, method: ENGINE_MEDIA_FILE, payload: { photoId: 3, kind: 'live' } })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('round-trips through the forwarded services and remoteMedia over a message port', async () => {
    // Wire a client and a served engine back to back, as main and the utility process are.
    let toEngine: ((e: unknown) => void) | null = null;
    const rpc = new RpcClient((m) => queueMicrotask(() => toEngine?.({ data: m })));
    serveEngine({ postMessage: (m) => queueMicrotask(() => rpc.handleMessage(m)), on: (_e, cb) => (toEngine = cb) }, engine());
    const call = (method: string, payload: unknown) => rpc.call(method, payload);
    const main = forwardEngineServices(new ApiRouter('ipc'), call);
    const media = remoteMedia(call);
    expect(main.services).toEqual(['transport', ...ENGINE_SERVICES]);
    await expect(main.invoke('search', { query: '狗', limit: 5 })).resolves.toEqual({ method: 'search', req: { query: '狗', limit: 5, mode: 'all', filter: {}, understand: true } });
    await expect(main.invoke('photo', { photoId: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(media.mediaFile(9, 'original')).resolves.toBe('/lib/original/9.jpg');
    await expect(media.libraryRoots()).resolves.toEqual(['/lib']);
    await expect(media.thumbnailRoots!()).resolves.toEqual(['/cache']);
    await expect(media.photoClip!(7)).resolves.toEqual({ file: '/lib/MVIMG_7.jpg', offset: 1000, length: 500 });
  });
});
