import { useApp } from '../store';

export function Toasts() {
  const toasts = useApp((s) => s.toasts);
  const dismiss = useApp((s) => s.dismissToast);
  return (
    <div className="nc-toasts" aria-live="polite">
      {toasts.map((t) => (
        <div
          key={t.id}
          className={`nc-toast ${t.tone}`}
          data-testid={`toast-${t.tone}`}
          onClick={() => dismiss(t.id)}
        >
          {t.message}
        </div>
      ))}
    </div>
  );
}
