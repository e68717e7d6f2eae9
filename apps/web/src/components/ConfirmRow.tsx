import type { ReactNode } from 'react';

/**
 * A question asked inside a table, under the row it is about: what will
 * happen, the action (focused, so Enter answers) and Cancel.
 */
export function ConfirmRow(props: {
  colSpan: number;
  children: ReactNode;
  action: string;
  tone: 'danger' | 'primary';
  onConfirm(): void;
  onCancel(): void;
  testid?: string;
  confirmTestid: string;
  cancelTestid: string;
}) {
  return (
    <tr className="nc-table-confirm">
      <td colSpan={props.colSpan}>
        <div role="alert" data-testid={props.testid}>
          {props.children}{' '}
          <button
            type="button"
            className={props.tone}
            // biome-ignore lint/a11y/noAutofocus: the question just asked; Enter answers it
            autoFocus
            onClick={props.onConfirm}
            data-testid={props.confirmTestid}
          >
            {props.action}
          </button>{' '}
          <button type="button" onClick={props.onCancel} data-testid={props.cancelTestid}>
            Cancel
          </button>
        </div>
      </td>
    </tr>
  );
}
