/**
 * The C allocator settings every engine process starts with: `MALLOC_ARENA_MAX=2` and
 * `MALLOC_MMAP_THRESHOLD_=1048576`.
 *
 * Why: on Linux, glibc's malloc gives each thread that allocates its own arena (up to 8 per core).
 * The engine allocates from many threads — libvips decoding photos, ONNX Runtime in the encoder
 * and OCR workers, the reader threads — and memory freed in one thread's arena is kept there
 * rather than returned. Indexing 85 photos (12 MP phone shots, long screenshots) and then reading
 * their text peaked at 1.18 GB with the default and at 0.93 GB with two arenas, at the same speed
 * (docs/decisions/ocr.md, "Memory of the indexing process"); sharp's documentation gives the same
 * advice.
 *
 * The second: glibc serves a large block from its own mapping, returned to the system when freed,
 * but raises that threshold to the size of every such block freed (up to 32 MB). After the first
 * few photos, their multi-megabyte rasters and tensors come from the arenas instead, where they
 * stay resident between photos and fragment. A fixed 1 MB threshold keeps them mapped and
 * returned: the same run with two photos' text read at once peaked at 1.03 GB without it and at
 * 0.88–0.91 GB with it, at the same speed.
 *
 * glibc reads both once, when a process starts, so they are set for the processes the engine runs
 * in: Electron's engine process (main/paths.ts engineEnv) and the CLI's (cli/shiguang.ts). Other
 * platforms' allocators ignore them.
 */
export const ALLOCATOR_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '1048576' } as const;

/** `env` with the allocator setting, unless the person set their own. */
export function withAllocatorEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  for (const [k, v] of Object.entries(ALLOCATOR_ENV)) if (out[k] === undefined) out[k] = v;
  return out;
}

/** Whether a process started with `env` lacks the setting where it matters (glibc's Linux). */
export function lacksAllocatorEnv(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'linux' && Object.keys(ALLOCATOR_ENV).some((k) => env[k] === undefined);
}
