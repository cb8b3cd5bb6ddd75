/** The one progress bar of the UI (indexing, text reading, downloads): an accessible progressbar. */
export function ProgressBar({ pct, label, valueText, running }: { pct: number; label: string; valueText: string; running: boolean }) {
  return (
    <div
      className={`progress-bar${running ? ' is-running' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      aria-valuetext={`${pct}% (${valueText})`}
    >
      <div className="progress-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}
