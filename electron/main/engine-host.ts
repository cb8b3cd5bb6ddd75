/**
 * Starts the engine in an Electron utility process under the supervisor and exposes it to the
 * main process as forwarded services on a router + a media provider. The only Electron-specific part is adapting
 * UtilityProcess to ChildLike; the policy lives in engine-supervisor.ts.
 */
import { utilityProcess } from 'electron';
import type { EngineMethod } from '../shared/ipc.ts';
import { ApiRouter } from '../shared/router.ts';
import type { GuardedMediaProvider } from '../transport/media-guard.ts';
import { forwardEngineServices, remoteMedia } from './engine-client.ts';
import { EngineSupervisor, type ChildLike } from './engine-supervisor.ts';

export interface EngineHost {
  /** The main process's router: the engine's services forwarded; main registers the shell on it. */
  router: ApiRouter;
  media: GuardedMediaProvider;
  supervisor: EngineSupervisor;
  stop(): Promise<void>;
}

export function forkEngine(entry: string, env: Record<string, string>): ChildLike {
  const child = utilityProcess.fork(entry, [], { env, serviceName: 'Shiguang engine', stdio: 'inherit' });
  return {
    postMessage: (msg) => child.postMessage(msg),
    onMessage: (cb) => void child.on('message', cb),
    onExit: (cb) => void child.on('exit', (code) => cb(code)),
    kill: () => void child.kill(),
  };
}

export function startEngineHost(entry: string, env: Record<string, string>): EngineHost {
  const supervisor = new EngineSupervisor({
    spawn: () => forkEngine(entry, env),
    log: (line) => console.log(`[engine] ${line}`),
  });
  supervisor.start();
  const call = (method: EngineMethod, payload: unknown) => supervisor.call(method, payload);
  return {
    router: forwardEngineServices(new ApiRouter('ipc'), call),
    media: remoteMedia(call),
    supervisor,
    stop: () => supervisor.stop(),
  };
}
