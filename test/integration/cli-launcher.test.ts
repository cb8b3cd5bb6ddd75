/**
 * `npm run cli` starts electron/cli/shiguang.ts: on Linux, without the engine's allocator settings
 * (MALLOC_ARENA_MAX, MALLOC_MMAP_THRESHOLD_; util/allocator-env.ts), it runs the command in a child
 * started with them. What the person sees must not change: the same output, the same exit status,
 * and a child that really has the settings.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lacksAllocatorEnv, withAllocatorEnv } from '../../electron/engine/util/allocator-env.ts';

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'electron/cli/shiguang.ts', ...args], { env, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as NodeJS.ErrnoException & { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const toy = path.join(process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models'), 'toy-colors');

const base = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, SHIGUANG_LANG: 'en' };
  delete env.MALLOC_ARENA_MAX;
  delete env.MALLOC_MMAP_THRESHOLD_;
  return env;
};

describe('CLI launcher', () => {
  it('says which processes lack the setting: Linux without it only', () => {
    expect(lacksAllocatorEnv({}, 'linux')).toBe(true);
    expect(lacksAllocatorEnv({ MALLOC_ARENA_MAX: '4', MALLOC_MMAP_THRESHOLD_: '65536' }, 'linux')).toBe(false);
    expect(lacksAllocatorEnv({ MALLOC_ARENA_MAX: '4' }, 'linux')).toBe(true);
    expect(lacksAllocatorEnv({}, 'darwin')).toBe(false);
    expect(lacksAllocatorEnv({}, 'win32')).toBe(false);
    expect(withAllocatorEnv({ A: '1', B: undefined })).toEqual({ A: '1', MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '1048576' });
    expect(withAllocatorEnv({ MALLOC_ARENA_MAX: '8' })).toEqual({ MALLOC_ARENA_MAX: '8', MALLOC_MMAP_THRESHOLD_: '1048576' });
  });

  it('passes the output and the exit status through, as main.ts gives them', async () => {
    const help = await cli(['--help'], base());
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: shiguang');
    const bad = await cli(['--no-such-option'], base());
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("unknown option '--no-such-option'");
  });

  it.runIf(process.platform === 'linux')('runs the command in a child that has the allocator settings, and passes a SIGTERM on to it', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-launcher-'));
    try {
      fs.mkdirSync(path.join(tmp, 'dist'));
      fs.writeFileSync(path.join(tmp, 'dist', 'index.html'), '<!doctype html>');
      const env = { ...base(), SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'warn', SHIGUANG_RENDERER_DIR: path.join(tmp, 'dist') };
      const launcher = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/shiguang.ts', '--db', path.join(tmp, 'lib.db'), '--model', toy, '--threads', '1', 'serve'], { env });
      const seen = await new Promise<{ childEnv: string; code: number | null }>((resolve, reject) => {
        let out = '';
        let childEnv = '';
        launcher.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (childEnv || !out.includes('Ctrl-C')) return;
          // serve is up, in the launcher's child: read that process's environment.
          const kids = fs.readFileSync(`/proc/${launcher.pid}/task/${launcher.pid}/children`, 'utf8').trim().split(/\s+/);
          childEnv = fs.readFileSync(`/proc/${kids[0]}/environ`, 'utf8');
          launcher.kill('SIGTERM');
        });
        launcher.once('exit', (code) => resolve({ childEnv, code }));
        launcher.once('error', reject);
      });
      expect(seen.childEnv.split('\0')).toEqual(expect.arrayContaining(['MALLOC_ARENA_MAX=2', 'MALLOC_MMAP_THRESHOLD_=1048576']));
      // The child stopped on the SIGTERM passed to it, and the launcher ended with it.
      expect(seen.code).not.toBeNull();
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 240_000);
});
