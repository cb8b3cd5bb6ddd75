/**
 * The search box's length limit, said before anything is sent: the contract refuses a query over
 * MAX_QUERY_LENGTH (contract/limits.ts), and a pasted page of text should meet a sentence in the
 * person's language at once — not a failed request and a retry button that cannot help.
 */
import { MAX_QUERY_LENGTH } from '../../../electron/shared/contract/limits.ts';
import { useI18n } from '../lib/i18n.tsx';
import '../errors.css';

/** Whether a query may be sent as it is. */
export function queryFits(q: string): boolean {
  return q.length <= MAX_QUERY_LENGTH;
}

export function SearchLimit({ value, id }: { value: string; id: string }) {
  const { t } = useI18n();
  if (queryFits(value.trim())) return null;
  return (
    <p id={id} className="search-limit" role="alert">
      {t('search.tooLong', { max: MAX_QUERY_LENGTH, n: value.length })}
    </p>
  );
}
