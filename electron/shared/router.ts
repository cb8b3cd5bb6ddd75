/**
 * The one dispatcher every transport uses (HTTP in the web mode, IPC in the desktop main process,
 * the main⇄engine channel in the engine process): services are registered with their handler
 * interfaces, every request is validated against the contract before a handler runs, and a
 * method whose service this transport does not have answers UNSUPPORTED — no stubs.
 *
 * Pure TypeScript: imports nothing from Node, the DOM or Electron.
 */
import {
  apiError,
  apiServices,
  isApiMethod,
  parseRequest,
  serviceNames,
  serviceOf,
  type ApiMethod,
  type ApiParsedRequest,
  type ApiResponse,
  type Capabilities,
  type ServiceName,
} from './api.ts';
import type { ServiceHandlers, ServiceSet } from './handlers.ts';

type AnyHandler = (req: unknown) => Promise<unknown>;

/** Sends a request to a service that lives elsewhere (the engine process) and returns its reply. */
export type Forward = (method: ApiMethod, req: unknown) => Promise<unknown>;

const SERVICE_LABEL: Record<ServiceName, string> = {
  transport: 'the transport',
  system: 'the engine',
  library: 'the library',
  search: 'search',
  tags: 'tags',
  ocr: 'text in photos (OCR)',
  stacks: 'stacks (copies and bursts)',
  models: 'the model manager',
  settings: 'settings',
  shell: 'the desktop shell (folder dialogs, reveal, open)',
};

export class ApiRouter {
  private readonly handlers = new Map<ApiMethod, AnyHandler>();
  private readonly registered = new Set<ServiceName>();

  /** @param transport what `capabilities` reports; the router answers that method itself. */
  constructor(private readonly transport: Capabilities['transport']) {
    this.handlers.set('capabilities', async () => this.capabilities());
    this.registered.add('transport');
  }

  /** Registers one service; every method of it must be implemented (the type says so too). */
  register<S extends ServiceName>(service: S, handlers: ServiceHandlers<S>): this {
    if (this.registered.has(service)) throw new Error(`service ${service} is registered twice`);
    const table = handlers as Partial<Record<ApiMethod, AnyHandler>>;
    for (const m of apiServices[service] as readonly ApiMethod[]) {
      const h = table[m];
      if (typeof h !== 'function') throw new Error(`service ${service} lacks a handler for ${m}`);
      this.handlers.set(m, h);
    }
    this.registered.add(service);
    return this;
  }

  /** Registers every service present in the set. */
  registerAll(set: ServiceSet): this {
    for (const s of serviceNames) {
      const h = set[s];
      if (h) this.register(s, h as ServiceHandlers<typeof s>);
    }
    return this;
  }

  /** Serves `services` by forwarding their requests (already validated here) to another process. */
  forward(services: readonly ServiceName[], send: Forward): this {
    for (const s of services) {
      if (this.registered.has(s)) throw new Error(`service ${s} is registered twice`);
      for (const m of apiServices[s] as readonly ApiMethod[]) this.handlers.set(m, (req) => send(m, req));
      this.registered.add(s);
    }
    return this;
  }

  has(service: ServiceName): boolean {
    return this.registered.has(service);
  }

  get services(): ServiceName[] {
    return serviceNames.filter((s) => this.registered.has(s));
  }

  capabilities(): Capabilities {
    return { nativeShell: this.registered.has('shell'), transport: this.transport, services: this.services };
  }

  /** An untrusted request from a transport: method checked, payload validated, then dispatched. */
  async call(method: string, payload: unknown): Promise<unknown> {
    if (!isApiMethod(method)) throw apiError('unknown-method', { method }, `unknown method ${method}`);
    const handler = this.handlerFor(method);
    return handler(parseRequest(method, payload));
  }

  /** A typed in-process call (desktop handlers, tests): validated like any other request. */
  async invoke<M extends ApiMethod>(method: M, req: unknown): Promise<ApiResponse<M>> {
    const parsed: ApiParsedRequest<M> = parseRequest(method, req);
    // The handler registered for M returns ApiResponse<M>: register() only accepts ServiceHandlers.
    return (await this.handlerFor(method)(parsed)) as ApiResponse<M>;
  }

  private handlerFor(method: ApiMethod): AnyHandler {
    const handler = this.handlers.get(method);
    if (handler) return handler;
    const service = serviceOf(method);
    if (service === 'shell') throw apiError('desktop-only', { method }, `${method} is only available in the desktop app`);
    const where = this.transport === 'http' ? 'the web mode' : 'this process';
    throw apiError('service-missing', { method }, `${method} is not available in ${where}: it has no ${SERVICE_LABEL[service]}`);
  }
}
