// A modal yes/no question for destructive actions (delete an endpoint, rotate a secret), keyboard and screen-reader usable.
import { h } from './dom.ts';

export interface ConfirmOptions {
  title: string;
  body: string;
  /** The confirming button's words ("Delete endpoint"): says what happens, never just "OK". */
  confirm: string;
  /** Style the confirming button as dangerous. */
  danger?: boolean;
}

/** Resolves true when confirmed; false on cancel, Escape or a click outside. The dialog is removed either way. */
export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const yes = h(
      'button',
      {
        type: 'submit',
        value: 'yes',
        id: 'confirm-yes',
        class: options.danger ? 'button-danger' : 'button-primary',
      },
      options.confirm,
    );
    const no = h(
      'button',
      { type: 'submit', value: 'no', id: 'confirm-no', class: 'button-quiet' },
      'Cancel',
    );
    const dialog = h(
      'dialog',
      {
        class: 'card confirm-dialog',
        'aria-labelledby': 'confirm-title',
        'aria-describedby': 'confirm-body',
      },
      h(
        'form',
        { method: 'dialog' },
        h('h2', { id: 'confirm-title' }, options.title),
        h('p', { id: 'confirm-body' }, options.body),
        h('div', { class: 'form-actions' }, yes, no),
      ),
    );
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'yes');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    // The safe choice has focus: Enter right away does not destroy anything.
    no.focus();
  });
}
