// Flat config: typescript-eslint's recommended rules plus the project's layering, which a stray
// import must fail (test/unit/lint-layers.test.ts proves each rule):
// - one module owns each technology: only electron/engine/ml imports onnxruntime, only store/ the
//   SQLite modules, only media/ sharp (and the image decoders), only library/watcher.ts chokidar,
//   only main/ and preload/ Electron, only engine/video/ffmpeg.ts the video decoder's packages
//   (and, in the engine, only engine/video/ starts child processes);
// - layers import downward: shared/ is pure; store/ imports nothing outside itself; the engine
//   never imports a transport (cli/, server/, main/, transport/); main/ never imports cli/ or
//   server/ (code both need lives in transport/); the renderer reaches the engine only through
//   its api/ folder and the contract in electron/shared;
// - CLI commands use the engine's services, not its repositories (`engine.lib`);
// - modules stay small.
import tseslint from 'typescript-eslint';

/** Each technology, and who may import it (see ZONES). */
const TECHNOLOGIES = {
  onnxruntime: { modules: ['onnxruntime-node', 'onnxruntime-common', 'onnxruntime-web'], why: 'Only electron/engine/ml/ talks to ONNX Runtime; use its sessions and encoders.' },
  sqlite: { modules: ['better-sqlite3', 'sqlite-vec'], why: 'Only electron/engine/store/ talks to SQLite; use a repository (and put the SQL there).' },
  images: { modules: ['sharp', 'exifr', 'heic-decode'], why: 'Only electron/engine/media/ decodes images; use its decode, thumbnail and metadata functions.' },
  chokidar: { modules: ['chokidar'], why: 'Only electron/engine/library/watcher.ts uses chokidar; use PhotoWatcher.' },
  video: {
    modules: ['@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe'],
    // The per-platform packages carrying the binaries, whatever their names.
    patterns: ['@ffmpeg-installer/*', '@ffprobe-installer/*'],
    why: 'Only electron/engine/video/ffmpeg.ts runs the video decoder; use its probe and frame functions (engine/video/).',
  },
  electron: { modules: ['electron'], why: 'Engine, CLI, server, transport and shared code must run without Electron.' },
};

/** Import patterns each layer must not use. */
const LAYERS = {
  shared: { group: ['node:*', '../*'], message: 'electron/shared is pure TypeScript shared by every process: no Node modules, nothing outside shared/.' },
  contract: { group: ['node:*', '../../*'], message: 'electron/shared is pure TypeScript shared by every process: no Node modules, nothing outside shared/.' },
  store: { group: ['../*'], message: 'store/ imports nothing above it: repositories wrap SQLite and nothing else.' },
  engine: { group: ['**/cli/**', '**/server/**', '**/main/**', '**/transport/**', '**/renderer/**'], message: 'The engine never imports a transport or the UI: transports build on the engine, not the reverse.' },
  feature: {
    group: ['**/engine.ts', '**/engine-options.ts', '**/app/**', '**/pass-registry.ts', '**/model-slots.ts'],
    message: 'A feature folder never imports the engine or the composition root (engine.ts, app/): they compose the features. Take what you need as a parameter (handlers get a Use<Service>, util/use.ts).',
  },
  library: {
    group: ['../index/**', '../search/**', '../tags/**', '../ocr/**', '../passes/**', '../settings/**', '../models/**'],
    message: 'library/ (folders, files, photos as the API shows them) sits below indexing, search, tags, OCR and the passes: they use it, not the reverse.',
  },
  settings: { group: ['../models/**', '../index/**', '../search/**', '../tags/**', '../ocr/**'], message: 'settings/ imports nothing above it: what it needs from a feature (the download sources) is handed in.' },
  transport: { group: ['**/cli/**', '**/server/**', '**/main/**', '**/engine/**'], message: 'transport/ is the neutral code main/ and server/ share: it depends on neither, nor on the engine.' },
  main: { group: ['**/cli/**', '**/server/**'], message: 'main/ never imports cli/ or server/: shared code lives in electron/transport, the composition root in electron/engine/app.' },
  server: { group: ['**/cli/**', '**/main/**'], message: 'server/ is a transport: it never imports the CLI or the Electron main process.' },
  cli: { group: ['**/main/**'], message: 'The CLI never imports the Electron main process.' },
  processes: { group: ['node:child_process', 'child_process'], message: 'In the engine only electron/engine/video/ starts child processes (the video decoder, with timeouts and kill on abort): use its functions.' },
};

/**
 * ESLint does not merge a rule's options across config objects (for a file matched by several,
 * the last one wins), so each zone states its complete list; more specific zones come later.
 */
const ZONES = [
  { files: ['electron/shared/**/*.ts'], owns: [], layers: ['shared'] },
  { files: ['electron/shared/contract/**/*.ts'], owns: [], layers: ['contract'] },
  { files: ['electron/transport/**/*.ts'], owns: [], layers: ['transport'] },
  { files: ['electron/server/**/*.ts'], owns: [], layers: ['server'] },
  { files: ['electron/cli/**/*.ts'], owns: [], layers: ['cli'] },
  { files: ['electron/main/**/*.ts', 'electron/preload/**/*.ts'], owns: ['electron'], layers: ['main'] },
  { files: ['electron/engine/**/*.ts'], owns: [], layers: ['engine', 'processes'] },
  // Feature folders: everything below the engine's composition (engine.ts, app/, pass-registry.ts, model-slots.ts).
  { files: ['electron/engine/*/**/*.ts'], ignores: ['electron/engine/app/**'], owns: [], layers: ['engine', 'feature', 'processes'] },
  { files: ['electron/engine/library/**/*.ts'], owns: [], layers: ['engine', 'feature', 'library', 'processes'] },
  { files: ['electron/engine/settings/**/*.ts'], owns: [], layers: ['engine', 'feature', 'settings', 'processes'] },
  { files: ['electron/engine/store/**/*.ts'], owns: ['sqlite'], layers: ['engine', 'store', 'processes'] },
  { files: ['electron/engine/ml/**/*.ts'], owns: ['onnxruntime'], layers: ['engine', 'feature', 'processes'] },
  { files: ['electron/engine/media/**/*.ts'], owns: ['images'], layers: ['engine', 'feature', 'processes'] },
  { files: ['electron/engine/library/watcher.ts'], owns: ['chokidar'], layers: ['engine', 'feature', 'library', 'processes'] },
  // The video decoder: only video/ starts processes, only video/ffmpeg.ts knows the packages.
  { files: ['electron/engine/video/**/*.ts'], owns: [], layers: ['engine', 'feature'] },
  { files: ['electron/engine/video/ffmpeg.ts'], owns: ['video'], layers: ['engine', 'feature'] },
];

const zoneConfigs = ZONES.map(({ files, ignores, owns, layers }) => {
  const foreign = Object.entries(TECHNOLOGIES).filter(([key]) => !owns.includes(key)).map(([, t]) => t);
  return {
    files,
    ...(ignores ? { ignores } : {}),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: foreign.flatMap((t) => t.modules.map((name) => ({ name, message: t.why }))),
          patterns: [...foreign.map((t) => ({ group: t.patterns ?? t.modules.map((m) => `${m}/*`), message: t.why })), ...layers.map((l) => LAYERS[l])],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'release/', '.cache/', 'bench-results/', 'test-results/', '.tmp/', 'electron/**/assembly/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  ...zoneConfigs,
  {
    files: ['electron/cli/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name='lib']", message: 'CLI commands go through the engine\'s services (engine.library, engine.tags, engine.search), not its repositories.' },
      ],
    },
  },
  {
    files: ['electron/**/*.ts', 'renderer/src/**/*.{ts,tsx}'],
    // The message catalogue is data (one line per UI string in each language), not a module of logic.
    ignores: ['renderer/src/lib/messages.ts', 'electron/cli/messages.ts'],
    rules: { 'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    ignores: ['renderer/src/api/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer has no Electron or Node access.' }],
          patterns: [{ group: ['**/electron/engine/**', '**/electron/main/**', '**/electron/server/**', '**/electron/transport/**'], message: 'The renderer reaches the engine only through src/api and the contract in electron/shared.' }],
        },
      ],
    },
  },
);
