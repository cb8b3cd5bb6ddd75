/** Transient messages (folder added, an action failed) in a polite live region. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Icon } from './Icon.tsx';

export interface Notice {
  id: number;
  kind: 'info' | 'error';
  text: string;
}

const INFO_MS = 5000;
const ERROR_MS = 9000;

export function useNotices() {
  const [notices, setNotices] = useState<Notice[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setNotices((ns) => ns.filter((n) => n.id !== id)), []);
  const push = useCallback((kind: Notice['kind'], text: string) => {
    const id = next.current++;
    // Keep the last few; an error storm must not cover the window.
    setNotices((ns) => [...ns.slice(-3), { id, kind, text }]);
  }, []);
  return { notices, push, dismiss };
}

export function Notices({ notices, dismiss, dismissLabel }: { notices: Notice[]; dismiss(id: number): void; dismissLabel: string }) {
  return (
    <div className="notices" role="status" aria-live="polite">
      {notices.map((n) => (
        <NoticeItem key={n.id} notice={n} dismiss={dismiss} dismissLabel={dismissLabel} />
      ))}
    </div>
  );
}

function NoticeItem({ notice, dismiss, dismissLabel }: { notice: Notice; dismiss(id: number): void; dismissLabel: string }) {
  useEffect(() => {
    const timer = setTimeout(() => dismiss(notice.id), notice.kind === 'error' ? ERROR_MS : INFO_MS);
    return () => clearTimeout(timer);
  }, [notice, dismiss]);
  return (
    <div className={`notice notice-${notice.kind}`}>
      <Icon name={notice.kind === 'error' ? 'alert' : 'check'} size={16} />
      <span className="notice-text">{notice.text}</span>
      <button type="button" className="icon-button small" onClick={() => dismiss(notice.id)} aria-label={dismissLabel}>
        <Icon name="close" size={14} />
      </button>
    </div>
  );
}
