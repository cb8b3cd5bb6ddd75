/**
 * Test helpers: fake services for transports. A flat record of handlers (method → function) is
 * grouped into the services the contract defines, so a test can register every service at once.
 */
import { apiMethods, apiServices, serviceNames, type ApiMethod, type ServiceName } from '../../electron/shared/api.ts';
import type { ServiceSet } from '../../electron/shared/handlers.ts';

export type FlatHandlers = Partial<Record<ApiMethod, (req: unknown) => Promise<unknown>>>;

/** Every method answers { method } and is recorded in `calls`; `overrides` replace some of them. */
export function recordingHandlers(calls: { method: string; req: unknown }[], overrides: FlatHandlers = {}): FlatHandlers {
  const h: FlatHandlers = {};
  for (const m of apiMethods) {
    h[m] = async (req) => {
      calls.push({ method: m, req });
      return { method: m };
    };
  }
  return { ...h, ...overrides };
}

/** Groups flat handlers into services; a service is included only when all of its methods are present. */
export function servicesFrom(h: FlatHandlers, only: readonly ServiceName[] = serviceNames.filter((s) => s !== 'transport')): ServiceSet {
  const set: Record<string, Record<string, unknown>> = {};
  for (const s of only) {
    const methods = apiServices[s] as readonly ApiMethod[];
    if (!methods.every((m) => h[m])) continue;
    set[s] = Object.fromEntries(methods.map((m) => [m, h[m]]));
  }
  return set as ServiceSet;
}

/** What capabilities lists when every service is registered. */
export const ALL_SERVICES: ServiceName[] = [...serviceNames];
