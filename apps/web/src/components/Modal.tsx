import { type ReactNode, useEffect } from 'react';
import { Icon } from '../ui/icons';

/** The × that closes a drawer or a dialog. */
export function CloseButton({ onClose, testid }: { onClose: () => void; testid?: string }) {
  return (
    <button
      type="button"
      className="icon-btn"
      onClick={onClose}
      data-testid={testid}
      aria-label="Close"
      title="Close"
    >
      <Icon name="close" />
    </button>
  );
}

/**
 * A modal dialog over a dimmed backdrop, as modal dialogs go: a click on the
 * backdrop itself (outside the panel) or Escape anywhere inside closes it,
 * and the keyboard focus goes back to where it was when it opened.
 */
export function Modal(props: {
  label: string;
  title: ReactNode;
  subtitle?: ReactNode;
  onClose: () => void;
  testid: string;
  closeTestid?: string;
  className?: string;
  children: ReactNode;
}) {
  useEffect(() => {
    const opener = document.activeElement;
    return () => {
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
  }, []);
  return (
    <div
      className="nc-modal-backdrop"
      role="dialog"
      aria-modal="true"
      aria-label={props.label}
      onClick={(e) => {
        if (e.target === e.currentTarget) props.onClose();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') props.onClose();
      }}
    >
      <div className={`nc-modal ${props.className ?? ''}`} data-testid={props.testid}>
        <header>
          <h2>{props.title}</h2>
          {props.subtitle}
          <div className="nc-spacer" />
          <CloseButton onClose={props.onClose} testid={props.closeTestid} />
        </header>
        {props.children}
      </div>
    </div>
  );
}
