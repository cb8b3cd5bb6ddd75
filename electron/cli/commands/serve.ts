/**
 * `serve`: the local web mode — the same renderer and API as the desktop app, over HTTP on
 * 127.0.0.1 only, protected by a random token printed at start. How the UI is tested here and how
 * a user runs 拾光 on a home server (reach it through an SSH tunnel; it never listens publicly).
 *
 * The token belongs to the data directory (server/web-access.ts): the printed address stays the
 * same from run to run — on the same port too, when it is free and --port is not given — until
 * `serve --new-token` replaces it. After the first page load with it, the browser holds a
 * session cookie, so more tabs and windows need no token.
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
import { createWebServer, type WebServer, type WebServerOptions } from '../../server/web-server.ts';
import { loadWebAccess, rememberPort } from '../../server/web-access.ts';
import { cliLanguage, t } from '../i18n.ts';
import { ShiguangApp } from '../../engine/app/app.ts';
import { ApiError } from '../../shared/api.ts';
import { errorMessage } from '../../shared/error-messages.ts';
import { stopOnSignals } from '../shutdown.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The built renderer; built on first use when running from a source checkout. */
function rendererDir(): string {
  const dir = process.env.SHIGUANG_RENDERER_DIR ?? path.join(repoRoot, 'dist', 'renderer');
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    const config = path.join(repoRoot, 'renderer', 'vite.config.ts');
    if (!fs.existsSync(config)) throw new Error(`renderer build not found in ${dir}`);
    process.stderr.write(`${t('serve.building')}\n`);
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
    .description(t('serve.description'))
    .argument('[folders...]', t('serve.arg.folders'))
    .option('-p, --port <port>', t('serve.opt.port'))
    .option('--new-token', t('serve.opt.newToken'))
    .action(
      action(async (folders: string[], opts: { port?: string; newToken?: boolean }, cmd: Command) => {
        const port = opts.port === undefined ? undefined : Number.parseInt(opts.port, 10);
        if (port !== undefined && !(port >= 0 && port < 65536)) throw new Error(t('error.port', { value: opts.port ?? '' }));
        const staticDir = rendererDir();
        const access = loadWebAccess(appConfig(cmd).paths.home, { renew: opts.newToken === true });
        if (access.narrowed) process.stderr.write(`${t('serve.narrowed', { file: access.file })}\n`);
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
          throw new Error(t('serve.noModelFolders'));
        }
        try {
          // Relative folders are read from here, as a shell would; each is indexed in the background.
          for (const f of engine ? folders : []) {
            await engine!.folders.addFolder(f, { cwd: process.cwd() }).catch((e: unknown) => {
              // Already in the library (inside a library folder): nothing to add, say so and go on.
              if (e instanceof ApiError && e.detail?.reason === 'folder-inside-library') process.stderr.write(`${t('index.note', { note: cliLanguage() === 'en' ? e.message : errorMessage(cliLanguage(), e) })}\n`);
              else throw e;
            });
          }
        } catch (err) {
          await host.close();
          throw err;
        }
        const server = await listen({ services: host.services(), media: host.media, staticDir, token: access.token }, port, access.port);
        rememberPort(access, server.port);
        if (opts.newToken) process.stdout.write(`${t('serve.newToken')}\n`);
        process.stdout.write(`${t('serve.serving', { url: server.url })}\n`);
        if (host.libraryDamaged) process.stdout.write(`${t('serve.damaged')}\n`);
        else if (!engine) process.stdout.write(`${t('serve.noModel')}\n`);
        stopOnSignals(
          async () => {
            await server.close();
            await host.close();
          },
          { message: t('serve.stopping'), exitCode: 0 },
        );
        await new Promise<never>(() => undefined);
      }),
    );
}

/** On the port asked for; else on the last one if it is still free; else on any free one. */
async function listen(opts: Omit<WebServerOptions, 'port'>, asked: number | undefined, last: number | undefined): Promise<WebServer> {
  if (asked !== undefined || last === undefined) return createWebServer({ ...opts, port: asked ?? 0 });
  try {
    return await createWebServer({ ...opts, port: last });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' && (err as NodeJS.ErrnoException).code !== 'EACCES') throw err;
    return createWebServer({ ...opts, port: 0 });
  }
}
