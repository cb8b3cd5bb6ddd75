/** Answered by the transport itself (the router), from what it registered. */
import { z } from 'zod';
import type { ServiceName } from '../api.ts';

export interface Capabilities {
  /** Native folder picker, reveal in folder and open with the system viewer (desktop only). */
  nativeShell: boolean;
  transport: 'ipc' | 'http';
  /** The services this transport registered; methods of any other service answer UNSUPPORTED. */
  services: ServiceName[];
}

export const transportRequests = {
  capabilities: z.object({}).strict(),
} as const;

export interface TransportResponses {
  capabilities: Capabilities;
}
