/**
 * Tab and Shift+Tab stay inside a modal (settings, the photo viewer) and, when it closes, focus
 * goes back to what opened it. A native modal <dialog> makes the page inert but lets Tab leave
 * the document (to the browser's own controls, then the page body), and a dialog unmounted
 * without close() drops focus on the body; focus-trap (the focus-trap project's library, also
 * behind focus-trap-react) handles both. Its vanilla form is used because our modals are
 * <dialog>s opened with showModal() from effects, not wrapped children.
 */
import { useEffect, useRef, type RefObject } from 'react';
import { createFocusTrap } from 'focus-trap';

interface Options {
  /** Where focus starts; false: leave it where showModal() put it. */
  initialFocus?: () => HTMLElement | null;
  /** Put focus back on the opener when the trap ends (default true). */
  returnFocus?: boolean;
}

export function useFocusTrap(ref: RefObject<HTMLElement | null>, active: boolean, options: Options = {}): void {
  const opts = useRef(options);
  opts.current = options;
  // What had focus when the modal was asked for: read during render, before any effect (the
  // showModal() call included) moves focus into the dialog.
  const opener = useRef<Element | null>(null);
  const wasActive = useRef(false);
  if (active && !wasActive.current) opener.current = typeof document === 'undefined' ? null : document.activeElement;
  wasActive.current = active;

  useEffect(() => {
    const el = ref.current;
    if (!active || !el) return;
    const trap = createFocusTrap(el, {
      initialFocus: () => opts.current.initialFocus?.() ?? false,
      fallbackFocus: el,
      // Esc is the dialog's own (its cancel event closes it and the trap ends with it).
      escapeDeactivates: false,
      allowOutsideClick: true,
      returnFocusOnDeactivate: false,
      // The dialog is opened in an effect that may run after this one.
      delayInitialFocus: true,
    });
    try {
      trap.activate();
    } catch {
      // Nothing focusable yet (a dialog still empty): the native dialog still holds focus.
    }
    return () => {
      trap.deactivate();
      const back = opener.current;
      if (opts.current.returnFocus !== false && back instanceof HTMLElement && back.isConnected && back !== document.body) {
        back.focus({ preventScroll: true });
      }
    };
  }, [active, ref]);
}
