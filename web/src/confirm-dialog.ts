// An in-page modal "are you sure?" for destructive actions (cancel a campaign, remove a suppression).
import { h } from './dom.ts';

export interface ConfirmOptions {
  title: string;
  message: string;
  /** The confirming button's words, e.g. "Cancel campaign". */
  confirm: string;
  /** The declining button's words (default "Keep"). */
  decline?: string;
}

/** Resolves true when the dispatcher confirms; false on the decline button, Escape, or closing the dialog. */
export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const yes = h('button', { type: 'button', class: 'button-danger', id: 'confirm-yes' }, options.confirm);
    const no = h(
      'button',
      { type: 'button', class: 'button-quiet', id: 'confirm-no' },
      options.decline ?? 'Keep',
    );
    const dialog = h(
      'dialog',
      {
        class: 'card confirm-dialog',
        'aria-labelledby': 'confirm-title',
        'aria-describedby': 'confirm-message',
      },
      h('h2', { id: 'confirm-title' }, options.title),
      h('p', { id: 'confirm-message' }, options.message),
      h('div', { class: 'form-actions' }, yes, no),
    );
    let answered = false;
    const finish = (answer: boolean) => {
      if (answered) return;
      answered = true;
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    yes.addEventListener('click', () => finish(true));
    no.addEventListener('click', () => finish(false));
    dialog.addEventListener('close', () => finish(false));
    document.body.append(dialog);
    dialog.showModal();
    // Focus the safe choice: Enter on an accidental open does not destroy anything.
    no.focus();
  });
}
