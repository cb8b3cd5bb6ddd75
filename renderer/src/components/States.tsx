/** Empty and waiting states for the main area, each saying what to do next. */
import type { ReactNode } from 'react';
import { Icon, type IconName } from './Icon.tsx';

export function StateMessage({ icon, title, body, children }: { icon: IconName; title: string; body?: string; children?: ReactNode }) {
  return (
    <div className="state">
      <div className="state-icon">
        <Icon name={icon} size={28} />
      </div>
      <h2 className="state-title">{title}</h2>
      {body && <p className="state-body">{body}</p>}
      {children}
    </div>
  );
}
