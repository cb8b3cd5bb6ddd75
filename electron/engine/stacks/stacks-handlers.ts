/** The stacks service's API handlers: the duplicates report and the person's decisions about a stack. */
import type { ServiceHandlers } from '../../shared/handlers.ts';
import type { Use } from '../util/use.ts';
import type { StacksService } from './stacks-service.ts';

export function stacksHandlers(use: Use<StacksService>): ServiceHandlers<'stacks'> {
  return {
    duplicates: ({ kind, limit, offset }) => use((s) => s.duplicates(kind, limit, offset)),
    separate: ({ photoId }) => use((s) => s.separate(photoId)),
    chooseCover: ({ photoId }) => use((s) => s.chooseCover(photoId)),
  };
}
