import { labOf } from '../store/live';
import { useApp, useClient, useLive } from '../ui/context';
import { Modal } from './Modal';

/** Asks before Destroy: it removes every namespace of the lab, and whatever runs in them. */
export function DestroyDialog() {
  const asked = useApp((s) => s.destroyAsked);
  const askDestroy = useApp((s) => s.askDestroy);
  const name = useApp((s) => s.design.name);
  const lab = useLive((s) => labOf(s.labName, name));
  const { destroy } = useClient().lab;
  if (!asked) return null;
  const cancel = () => askDestroy(false);
  return (
    <Modal
      label="Destroy the lab?"
      title={`Destroy lab ${lab}?`}
      onClose={cancel}
      testid="destroy-dialog"
      closeTestid="destroy-dialog-close"
      className="nc-confirm"
    >
      <p>
        Every namespace of {lab} is removed from the kernel, with the captures and pings running in
        it. The design stays; Deploy makes the lab again.
      </p>
      <div className="nc-confirm-actions">
        <button type="button" onClick={cancel} data-testid="destroy-cancel">
          Cancel
        </button>
        <button
          type="button"
          className="danger"
          // biome-ignore lint/a11y/noAutofocus: the question just asked; Enter answers it
          autoFocus
          onClick={() => {
            askDestroy(false);
            void destroy();
          }}
          data-testid="destroy-confirm"
        >
          Destroy
        </button>
      </div>
    </Modal>
  );
}
