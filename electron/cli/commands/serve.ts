/**
 * `serve`: the local web mode — the same renderer and API as the desktop app, over HTTP on
 * 127.0.0.1 only, protected by a random token printed at start. How the UI is tested here and how
 * a user runs 拾光 on a home server (reach it through an SSH tunnel; it never listens publicly).
 *
 * Starts without a model too: the page then shows the model chooser (the app answers the model
 * methods and opens the engine once one is chosen). FOLDERs need a model, so with none they are
 * refused up front: choose a model first (here or in the page), then add folders in the page.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { action, appConfig } from '../context.ts';
import { createWebServer } from '../../server/web-server.ts';
import { ShiguangApp } from '../../engine/app/app.ts';
import { ApiError } from '../../shared/api.ts';
import { stopOnSignals } from '../shutdown.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The built renderer; built on first use when running from a source checkout. */
function rendererDir(): string {
  const dir = process.env.SHIGUANG_RENDERER_DIR ?? path.join(repoRoot, 'dist', 'renderer');
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    const config = path.join(repoRoot, 'renderer', 'vite.config.ts');
    if (!fs.existsSync(config)) throw new Error(`renderer build not found in ${dir}`);
    process.stderr.write('building the renderer (first run)…\n');
    execFileSync(process.execPath, [path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', config, '--logLevel', 'warn'], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return dir;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('local web mode: the UI and API on 127.0.0.1 with a random token; indexes and watches FOLDERs')
    .argument('[folders...]', 'folders to add to the library')
    .option('-p, --port <port>', 'port (default: a free one)', '0')
    .action(
      action(async (folders: string[], opts: { port: string }, cmd: Command) => {
        const port = Number.parseInt(opts.port, 10);
        if (!(port >= 0 && port < 65536)) throw new Error(`--port must be 0–65535, got ${opts.port}`);
        const staticDir = rendererDir();
        // --model / SHIGUANG_MODEL; else the model chosen with `models use` or in the page.
        const host = await ShiguangApp.open({
          config: appConfig(cmd),
          watch: true,
          // Catch up on changes made while nothing was watching.
          catchUp: folders.length === 0,
        });
        const engine = host.engine;
        if (!engine && folders.length) {
          await host.close();
          throw new Error(
            'no model yet, so folders cannot be indexed. Choose one first: run serve without folders and pick a model in the page ' +
              '(then add folders there), or `models download cn-clip-vit-b-16` and `models use cn-clip-vit-b-16`.',
          );
        }
        try {
          // Relative folders are read from here, as a shell would; each is indexed in the background.
          for (const f of engine ? folders : []) {
            await engine!.addFolder(f, { cwd: process.cwd() }).catch((e: unknown) => {
              // Already in the library (inside a library folder): nothing to add, say so and go on.
              if (e instanceof ApiError && e.detail?.reason === 'folder-inside-library') process.stderr.write(`note: ${e.message}\n`);
              else throw e;
            });
          }
        } catch (err) {
          await host.close();
          throw err;
        }
        const server = await createWebServer({ services: host.services(), media: host.media, staticDir, port });
        process.stdout.write(`拾光 is serving on ${server.url}\n(open that address; it only answers on this machine. Ctrl-C stops.)\n`);
        if (host.libraryDamaged) process.stdout.write('the library database is damaged — the page offers to rebuild it\n');
        else if (!engine) process.stdout.write('no model yet — choose one in the page\n');
        stopOnSignals(
          async () => {
            await server.close();
            await host.close();
          },
          { message: 'stopping…', exitCode: 0 },
        );
        await new Promise<never>(() => undefined);
      }),
    );
}
