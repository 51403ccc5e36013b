// "New campaign": rules + drivers from a pasted or uploaded CSV, checked row by row before POST /campaigns.
import {
  CAMPAIGN_DEFAULTS,
  CAMPAIGN_LIMITS,
  type CampaignDriverInput,
} from '../../../core/domain/campaign.ts';
import { ApiError, type ApiClient } from '../api-client.ts';
import type { CreateCampaignRequest } from '../../../core/protocol/rest-api.ts';
import {
  CSV_COLUMNS,
  readCampaignCsv,
  rowOfApiPath,
  VIOLATION_SEPARATOR,
  type RowProblem,
} from '../campaign-csv.ts';
import { h } from '../dom.ts';
import { formatDurationList, parseDurationList } from '../duration-list.ts';
import { fieldErrorsFrom } from '../field-errors.ts';
import { href } from '../router.ts';

/** Rows listed under the CSV before "and N more" (a 1000-row paste with a wrong column must stay readable). */
const MAX_PROBLEMS_SHOWN = 50;
/** Re-check the CSV this long after the last keystroke. */
const CHECK_DELAY_MS = 250;

export interface CampaignFormDeps {
  api: ApiClient;
  created(campaignId: string): void;
}

const EXAMPLE = [
  CSV_COLUMNS.join(','),
  'D-1001,Sam Carter,+15551230001,America/Chicago,violation,"Reefer at 45°F, needs 38°F"',
  'D-1002,Ana Ruiz,+15551230002,America/New_York,violation;reminder,Late check-in; Send trailer photos',
].join('\n');

export function renderCampaignFormView(root: HTMLElement, deps: CampaignFormDeps): () => void {
  // One key per filled-in form: a retry after a network error or a double click never creates two campaigns.
  let idempotencyKey = crypto.randomUUID();
  const formError = h('div', { id: 'form-error', class: 'form-error', role: 'alert', tabindex: -1 });
  const name = field(
    'name',
    'Campaign name',
    h('input', { id: 'name', autocomplete: 'off', maxlength: 200 }),
  );
  const startAt = field(
    'startAt',
    'Start (optional)',
    h('input', { id: 'startAt', type: 'datetime-local' }),
    'Your local time. Empty: start now.',
  );
  const windowStart = field(
    'callingWindow.start',
    'Calling window opens',
    h('input', { id: 'windowStart', type: 'time', value: CAMPAIGN_DEFAULTS.callingWindow.start }),
  );
  const windowEnd = field(
    'callingWindow.end',
    'Calling window closes',
    h('input', { id: 'windowEnd', type: 'time', value: CAMPAIGN_DEFAULTS.callingWindow.end }),
    "In each driver's own time zone.",
  );
  const maxAttempts = field(
    'retry.maxAttempts',
    'Attempts per driver',
    h('input', {
      id: 'maxAttempts',
      type: 'number',
      min: 1,
      max: CAMPAIGN_LIMITS.maxAttemptsMax,
      value: CAMPAIGN_DEFAULTS.retry.maxAttempts,
    }),
  );
  const backoff = field(
    'retry.backoffSecs',
    'Wait between attempts',
    h('input', {
      id: 'backoff',
      autocomplete: 'off',
      value: formatDurationList(CAMPAIGN_DEFAULTS.retry.backoffSecs),
    }),
    'e.g. "15m, 1h" (s, m, h, d); the last one repeats.',
  );
  const maxConcurrent = field(
    'maxConcurrentCalls',
    'Calls at once',
    h('input', {
      id: 'maxConcurrentCalls',
      type: 'number',
      min: 1,
      max: CAMPAIGN_LIMITS.maxConcurrentCallsMax,
      value: CAMPAIGN_DEFAULTS.maxConcurrentCalls,
    }),
  );
  const csv = h('textarea', {
    id: 'csv',
    rows: 10,
    spellcheck: false,
    class: 'csv-input',
    placeholder: EXAMPLE,
    'aria-describedby': 'csv-help csv-summary csv-problems',
  });
  const file = h('input', { id: 'csv-file', type: 'file', accept: '.csv,text/csv,text/plain' });
  const summary = h('p', { id: 'csv-summary', class: 'hint', role: 'status' });
  const problemList = h('ul', { id: 'csv-problems', class: 'row-problems', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'button-primary' }, 'Create campaign');
  const form = h(
    'form',
    { class: 'card campaign-form', novalidate: true, 'aria-labelledby': 'form-title' },
    h('h1', { id: 'form-title' }, 'New campaign'),
    formError,
    h('div', { class: 'field-row' }, name.wrap, startAt.wrap),
    h(
      'fieldset',
      { class: 'rules-fieldset' },
      h('legend', {}, 'Rules'),
      h('div', { class: 'field-row' }, windowStart.wrap, windowEnd.wrap),
      h('div', { class: 'field-row' }, maxAttempts.wrap, backoff.wrap, maxConcurrent.wrap),
    ),
    h(
      'fieldset',
      { class: 'drivers-fieldset' },
      h('legend', {}, 'Drivers'),
      h(
        'div',
        { id: 'csv-help', class: 'hint csv-help' },
        h('p', {}, 'One driver per row, with this header row (columns in any order):'),
        h('pre', {}, CSV_COLUMNS.join(',')),
        h(
          'p',
          {},
          `Several violations for one driver: separate them with "${VIOLATION_SEPARATOR}" in violationDescription, `,
          `and give one violationType for all (violation or reminder; empty means violation) or one per violation, `,
          `also separated by "${VIOLATION_SEPARATOR}". Quote a cell that contains a comma. Phone numbers in E.164 `,
          `(+15551234567); timezone is an IANA zone (America/Chicago) or empty for the org default. `,
          `Up to ${CAMPAIGN_LIMITS.driversMax} drivers.`,
        ),
      ),
      h('div', { class: 'field' }, h('label', { for: 'csv-file' }, 'Upload a CSV file'), file),
      h('div', { class: 'field' }, h('label', { for: 'csv' }, 'or paste it here'), csv),
      summary,
      problemList,
    ),
    h('div', { class: 'form-actions' }, submit, h('a', { href: href({ name: 'campaigns' }) }, 'Cancel')),
  );

  let checkTimer: number | undefined;
  const check = (): { drivers: CampaignDriverInput[]; problems: RowProblem[] } => {
    const result = readCampaignCsv(csv.value);
    showProblems(problemList, result.problems);
    if (result.problems.length > 0) csv.setAttribute('aria-invalid', 'true');
    else csv.removeAttribute('aria-invalid');
    summary.textContent = !csv.value.trim()
      ? ''
      : result.problems.length
        ? `${result.drivers.length} rows, ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} to fix.`
        : `${result.drivers.length} driver${result.drivers.length === 1 ? '' : 's'} ready.`;
    return result;
  };
  form.addEventListener('input', (e) => {
    idempotencyKey = crypto.randomUUID();
    if (e.target === csv) {
      window.clearTimeout(checkTimer);
      checkTimer = window.setTimeout(check, CHECK_DELAY_MS);
    }
  });
  file.addEventListener('change', () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    chosen
      .text()
      .then((text) => {
        csv.value = text;
        idempotencyKey = crypto.randomUUID();
        check();
      })
      .catch(() => (formError.textContent = 'The file could not be read.'));
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    window.clearTimeout(checkTimer);
    clearErrors(form);
    const local = new Map<string, string>();
    const { drivers, problems } = check();
    const request = buildRequest(
      {
        name: name.control.value,
        startAt: startAt.control.value,
        windowStart: windowStart.control.value,
        windowEnd: windowEnd.control.value,
        maxAttempts: maxAttempts.control.value,
        backoff: backoff.control.value,
        maxConcurrent: maxConcurrent.control.value,
      },
      drivers,
      local,
    );
    if (problems.length || local.size || !request) {
      showFieldErrors(form, local);
      formError.textContent = problems.length
        ? `Fix the ${problems.length === 1 ? 'problem' : `${problems.length} problems`} in the drivers CSV first; nothing was sent.`
        : 'Please fix the highlighted fields.';
      (form.querySelector<HTMLElement>('[aria-invalid="true"]') ?? formError).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Creating…';
    deps.api
      .createCampaign(request, idempotencyKey)
      .then((created) => deps.created(created.campaignId))
      .catch((err: unknown) => showApiErrors(form, formError, problemList, err))
      .finally(() => {
        submit.disabled = false;
        submit.textContent = 'Create campaign';
      });
  });
  root.replaceChildren(h('section', { class: 'page' }, form));
  name.control.focus();
  return () => window.clearTimeout(checkTimer);
}

interface RawForm {
  name: string;
  startAt: string;
  windowStart: string;
  windowEnd: string;
  maxAttempts: string;
  backoff: string;
  maxConcurrent: string;
}

/** The request from the form's values; problems with the rules go into `errors` (field path → message). */
function buildRequest(
  raw: RawForm,
  drivers: CampaignDriverInput[],
  errors: Map<string, string>,
): CreateCampaignRequest | undefined {
  const name = raw.name.trim();
  if (!name) errors.set('name', 'Give the campaign a name.');
  let startAt: string | undefined;
  if (raw.startAt) {
    // `datetime-local` is the viewer's wall clock; the API wants an instant with an offset.
    const date = new Date(raw.startAt);
    if (Number.isNaN(date.getTime())) errors.set('startAt', 'Not a valid date and time.');
    else startAt = date.toISOString();
  }
  if (!raw.windowStart || !raw.windowEnd) errors.set('callingWindow.start', 'Give both times.');
  else if (raw.windowStart >= raw.windowEnd)
    errors.set('callingWindow.end', 'The window must close after it opens (same day).');
  const maxAttempts = Number(raw.maxAttempts);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > CAMPAIGN_LIMITS.maxAttemptsMax)
    errors.set('retry.maxAttempts', `A whole number from 1 to ${CAMPAIGN_LIMITS.maxAttemptsMax}.`);
  const backoffSecs = parseDurationList(raw.backoff);
  if (!backoffSecs || backoffSecs.length === 0)
    errors.set('retry.backoffSecs', 'Write waits like "15m, 1h" (units s, m, h, d).');
  else if (backoffSecs.length > CAMPAIGN_LIMITS.backoffEntriesMax)
    errors.set('retry.backoffSecs', `At most ${CAMPAIGN_LIMITS.backoffEntriesMax} waits.`);
  else if (backoffSecs.some((s) => s < CAMPAIGN_LIMITS.backoffSecsMin || s > CAMPAIGN_LIMITS.backoffSecsMax))
    errors.set('retry.backoffSecs', 'Each wait is from 1 second to 7 days.');
  const maxConcurrentCalls = Number(raw.maxConcurrent);
  if (
    !Number.isInteger(maxConcurrentCalls) ||
    maxConcurrentCalls < 1 ||
    maxConcurrentCalls > CAMPAIGN_LIMITS.maxConcurrentCallsMax
  )
    errors.set('maxConcurrentCalls', `A whole number from 1 to ${CAMPAIGN_LIMITS.maxConcurrentCallsMax}.`);
  if (errors.size || !backoffSecs) return undefined;
  return {
    name,
    ...(startAt ? { startAt } : {}),
    callingWindow: { start: raw.windowStart, end: raw.windowEnd },
    retry: { maxAttempts, backoffSecs },
    maxConcurrentCalls,
    drivers,
  };
}

function field(path: string, label: string, control: HTMLInputElement, hint?: string) {
  const errorId = `${control.id}-error`;
  const hintId = hint ? `${control.id}-hint` : undefined;
  control.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
  control.dataset.path = path;
  const wrap = h(
    'div',
    { class: 'field' },
    h('label', { for: control.id }, label),
    control,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'field-error', id: errorId, 'data-error-for': path }),
  );
  return { control, wrap };
}

function showProblems(list: HTMLElement, problems: RowProblem[]): void {
  const items = problems.slice(0, MAX_PROBLEMS_SHOWN).map((p) =>
    h(
      'li',
      {
        'data-row': p.row,
        ...(p.column ? { 'data-column': p.column } : {}),
      },
      p.row > 0 ? h('strong', {}, `Row ${p.row}`) : h('strong', {}, 'File'),
      p.column ? h('span', { class: 'muted' }, ` · ${p.column}`) : null,
      `: ${p.message}`,
    ),
  );
  if (problems.length > MAX_PROBLEMS_SHOWN) {
    items.push(h('li', {}, `… and ${problems.length - MAX_PROBLEMS_SHOWN} more.`));
  }
  list.replaceChildren(...items);
}

function clearErrors(form: HTMLFormElement): void {
  for (const el of form.querySelectorAll<HTMLElement>('.field-error, .form-error')) el.textContent = '';
  for (const el of form.querySelectorAll('input[aria-invalid]')) el.removeAttribute('aria-invalid');
}

/** Shows messages keyed by request path (`name`, `retry.backoffSecs.0`, …) next to their fields. */
function showFieldErrors(form: HTMLFormElement, errors: Map<string, string>): string[] {
  const unplaced: string[] = [];
  for (const [path, message] of errors) {
    const slot = slotFor(form, path);
    if (!slot) {
      unplaced.push(path ? `${path}: ${message}` : message);
      continue;
    }
    slot.textContent = message;
    form
      .querySelector<HTMLElement>(`[data-path="${CSS.escape(slot.dataset.errorFor ?? '')}"]`)
      ?.setAttribute('aria-invalid', 'true');
  }
  return unplaced;
}

/** The error slot of the longest field path that prefixes `path` (`retry.backoffSecs.2` → `retry.backoffSecs`). */
function slotFor(form: HTMLFormElement, path: string): HTMLElement | undefined {
  const parts = path.split('.');
  for (let n = parts.length; n > 0; n--) {
    const candidate = parts.slice(0, n).join('.');
    const slot = form.querySelector<HTMLElement>(`.field-error[data-error-for="${CSS.escape(candidate)}"]`);
    if (slot) return slot;
  }
  if (parts[0] === 'callingWindow')
    return form.querySelector<HTMLElement>('[data-error-for="callingWindow.start"]') ?? undefined;
  return undefined;
}

function showApiErrors(
  form: HTMLFormElement,
  formError: HTMLElement,
  problemList: HTMLElement,
  err: unknown,
): void {
  if (!(err instanceof ApiError)) {
    formError.textContent = 'The campaign could not be created. Try again.';
    return;
  }
  if (err.code !== 'validation_failed') {
    // A network error keeps the same Idempotency-Key: pressing the button again cannot create a second campaign.
    formError.textContent = err.message;
    formError.focus();
    return;
  }
  const fields = new Map<string, string>();
  const rows: RowProblem[] = [];
  for (const [path, message] of fieldErrorsFrom(err.details)) {
    const where = path === 'drivers' ? { row: 0 } : rowOfApiPath(path);
    if (where) rows.push({ ...where, message });
    else fields.set(path, message);
  }
  showProblems(problemList, rows);
  const unplaced = showFieldErrors(form, fields);
  formError.textContent = [
    rows.length
      ? `The API refused ${rows.length === 1 ? 'a row' : `${rows.length} rows`} of the CSV: see below.`
      : 'Please fix the highlighted fields.',
    ...unplaced,
  ].join(' ');
  (form.querySelector<HTMLElement>('input[aria-invalid="true"]') ?? formError).focus();
}
