import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The CSP in index.html is strict (no inline styles, same-origin connections only). Vite's dev
 * server injects <style> tags and talks HMR over a websocket, so only `vite serve` relaxes it;
 * production builds ship the strict policy untouched.
 */
function devCsp(): Plugin {
  return {
    name: 'shiguang-dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html
        .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        .replace("connect-src 'self'", "connect-src 'self' ws: wss:");
    },
  };
}

// `vite --config renderer/vite.config.ts` proxies the API to a running web-mode server
// (SHIGUANG_API, default: `npm run cli -- serve --port 5180`); open the page with ?token=… as serve prints it.
const apiTarget = process.env.SHIGUANG_API ?? 'http://127.0.0.1:5180';

export default defineConfig({
  root: here,
  // Relative asset URLs so the same build loads in Electron (shiguang://app/) and from the web server.
  base: './',
  plugins: [react(), devCsp()],
  publicDir: path.join(here, 'public'),
  build: {
    outDir: path.resolve(here, '../dist/renderer'),
    emptyOutDir: true,
    // Electron 41 / current Chromium only: no legacy transforms needed.
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    port: 5173,
    proxy: { '/api': apiTarget, '/media': apiTarget },
  },
});
