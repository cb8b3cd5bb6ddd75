/**
 * A typed field's length limit, said before anything is sent: the contract refuses more
 * (contract/limits.ts), and a pasted page should meet a sentence in the person's language at once
 * — not a failed request, nor text silently cut at the limit (a shorter tag name or folder path
 * than the one meant). The field itself is left alone; sending is what waits.
 */
import type { MessageKey } from '../lib/messages.ts';
import { useI18n } from '../lib/i18n.tsx';
import '../errors.css';

/** Whether a value (as it would be sent: trimmed) may be sent. */
export function fitsLimit(value: string, max: number): boolean {
  return value.trim().length <= max;
}

/** The sentence under an over-long field ({max}, {n}); nothing while it fits. `id` goes in the field's aria-describedby. */
export function InputLimit({ value, max, message, id, floating = false }: { value: string; max: number; message: MessageKey; id: string; floating?: boolean }) {
  const { t } = useI18n();
  if (fitsLimit(value, max)) return null;
  // Floating: over what is below (the search box's results); else in the form's flow, under the field.
  return (
    <p id={id} className={floating ? 'search-limit' : 'input-limit'} role="alert">
      {t(message, { max, n: value.trim().length })}
    </p>
  );
}
