/**
 * The search box's length limit (InputLimit.tsx): the contract refuses a query over
 * MAX_QUERY_LENGTH (contract/limits.ts).
 */
import { MAX_QUERY_LENGTH } from '../../../electron/shared/contract/limits.ts';
import { fitsLimit, InputLimit } from './InputLimit.tsx';

/** Whether a query may be sent as it is. */
export function queryFits(q: string): boolean {
  return fitsLimit(q, MAX_QUERY_LENGTH);
}

export function SearchLimit({ value, id }: { value: string; id: string }) {
  return <InputLimit value={value} max={MAX_QUERY_LENGTH} message="search.tooLong" id={id} floating />;
}
