/**
 * Preload of the sandboxed renderer (bundled to out/preload/index.cjs: sandboxed preloads must be
 * a single CommonJS file). Exposes only window.shiguang = { invoke, mediaUrl }.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { INVOKE_CHANNEL } from '../shared/ipc.ts';
import { makeBridge } from './make-bridge.ts';

contextBridge.exposeInMainWorld(
  'shiguang',
  makeBridge((envelope) => ipcRenderer.invoke(INVOKE_CHANNEL, envelope)),
);
