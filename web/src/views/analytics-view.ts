// Analytics: answer and acknowledgment figures over a date range, grouped by day, violation type or campaign —
// headline totals, two Chart.js charts (counts, rates) and the same numbers as a table.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { ANALYTICS_DIMENSIONS, type AnalyticsDimension } from '../../../core/domain/analytics.ts';
import type { AnalyticsFigures, AnalyticsResponse } from '../../../core/protocol/rest-api.ts';
import { DIMENSION_LABELS, groupLabel, medianDuration, percent } from '../analytics-format.ts';
import type { ApiClient } from '../api-client.ts';
import { h } from '../dom.ts';

// Only the parts the two charts use, so the bundle carries no unused chart types.
Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Legend,
  Tooltip,
);

// Axis and legend text readable on a tablet at arm's length, in the page's own font.
Chart.defaults.font.size = 14;
Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily || 'system-ui, sans-serif';

const COLORS = {
  dialed: '#93a4c3',
  connected: '#1e5bd6',
  acknowledged: '#067647',
  answer: '#1e5bd6',
  ack: '#067647',
};

export function renderAnalyticsView(root: HTMLElement, deps: { api: ApiClient }): () => void {
  let stopped = false;
  let charts: Chart[] = [];
  const from = h('input', { id: 'analytics-from', type: 'date', required: true });
  const to = h('input', { id: 'analytics-to', type: 'date', required: true });
  const groupBy = h(
    'select',
    { id: 'analytics-group' },
    ...ANALYTICS_DIMENSIONS.map((d) => h('option', { value: d }, DIMENSION_LABELS[d])),
  );
  const problem = h('p', { class: 'form-error', role: 'alert', id: 'analytics-error' });
  const status = h('p', { class: 'empty', role: 'status' }, 'Loading…');
  const totals = h('dl', { class: 'figures', id: 'analytics-totals' });
  const countsCanvas = h('canvas', {
    id: 'analytics-counts-chart',
    role: 'img',
    'aria-label': 'Calls per group',
  });
  const ratesCanvas = h('canvas', {
    id: 'analytics-rates-chart',
    role: 'img',
    'aria-label': 'Rates per group',
  });
  const body = h('tbody');
  const groupHead = h('th', { scope: 'col' }, 'Day');
  const results = h(
    'div',
    { class: 'analytics-results', hidden: true },
    totals,
    h(
      'div',
      { class: 'chart-grid' },
      h(
        'figure',
        { class: 'card chart-card' },
        h('figcaption', {}, 'Calls'),
        h('div', { class: 'chart-box' }, countsCanvas),
      ),
      h(
        'figure',
        { class: 'card chart-card' },
        h('figcaption', {}, 'Rates'),
        h('div', { class: 'chart-box' }, ratesCanvas),
      ),
    ),
    h(
      'div',
      { class: 'table-wrap analytics-table-wrap' },
      h(
        'table',
        { class: 'analytics-table', id: 'analytics-table', 'aria-describedby': 'analytics-title' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            groupHead,
            h('th', { scope: 'col', class: 'num' }, 'Dialed'),
            h('th', { scope: 'col', class: 'num' }, 'Connected'),
            h('th', { scope: 'col', class: 'num' }, 'Answer rate'),
            h('th', { scope: 'col', class: 'num' }, 'Acknowledged'),
            h('th', { scope: 'col', class: 'num' }, 'Ack. rate'),
            h('th', { scope: 'col', class: 'num' }, 'Median to ack.'),
            h('th', { scope: 'col', class: 'num' }, 'Attention opened'),
            h('th', { scope: 'col', class: 'num' }, 'Resolved'),
          ),
        ),
        body,
      ),
    ),
  );
  const form = h(
    'form',
    { class: 'card analytics-controls', novalidate: true, 'aria-label': 'Range and grouping' },
    h('div', { class: 'field' }, h('label', { for: 'analytics-from' }, 'From'), from),
    h('div', { class: 'field' }, h('label', { for: 'analytics-to' }, 'To'), to),
    h('div', { class: 'field' }, h('label', { for: 'analytics-group' }, 'Group by'), groupBy),
    h('button', { type: 'submit', class: 'button-primary' }, 'Show'),
  );
  root.replaceChildren(
    h(
      'section',
      { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', { id: 'analytics-title' }, 'Analytics')),
      h(
        'p',
        { class: 'hint' },
        'Answer rate counts a person answering (voicemail is not); acknowledgment rate is of the answered calls. Days are in the org’s time zone.',
      ),
      form,
      problem,
      status,
      results,
    ),
  );

  const figure = (name: string, label: string, value: string) =>
    h('div', { class: 'figure', 'data-figure': name }, h('dt', {}, label), h('dd', {}, value));

  const show = (answer: AnalyticsResponse) => {
    from.value = answer.from;
    to.value = answer.to;
    groupBy.value = answer.groupBy;
    const t = answer.totals;
    totals.replaceChildren(
      figure('dialed', 'Calls placed', String(t.dialed)),
      figure('answerRate', 'Answer rate', percent(t.answerRate)),
      figure('acknowledgmentRate', 'Acknowledgment rate', percent(t.acknowledgmentRate)),
      figure(
        'medianSecsToAcknowledge',
        'Median time to acknowledge',
        medianDuration(t.medianSecsToAcknowledge),
      ),
      figure('attention', 'Attention opened / resolved', `${t.attentionOpened} / ${t.attentionResolved}`),
    );
    groupHead.textContent = DIMENSION_LABELS[answer.groupBy];
    body.replaceChildren(...answer.rows.map((row) => rowFor(answer.groupBy, row.key, row)));
    drawCharts(answer);
    results.hidden = false;
    status.hidden = answer.totals.dialed > 0 || answer.totals.attentionOpened > 0;
    status.textContent = `No calls between ${answer.from} and ${answer.to}.`;
  };

  const drawCharts = (answer: AnalyticsResponse) => {
    for (const c of charts) c.destroy();
    const labels = answer.rows.map((r) => groupLabel(answer.groupBy, r.key));
    const common = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false as const,
      plugins: { legend: { position: 'bottom' as const } },
    };
    charts = [
      new Chart(countsCanvas, {
        type: 'bar',
        data: {
          labels,
          datasets: [
            { label: 'Dialed', data: answer.rows.map((r) => r.dialed), backgroundColor: COLORS.dialed },
            {
              label: 'Connected',
              data: answer.rows.map((r) => r.connected),
              backgroundColor: COLORS.connected,
            },
            {
              label: 'Acknowledged',
              data: answer.rows.map((r) => r.acknowledged),
              backgroundColor: COLORS.acknowledged,
            },
          ],
        },
        options: { ...common, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      }),
      new Chart(ratesCanvas, {
        type: answer.groupBy === 'day' ? 'line' : 'bar',
        data: {
          labels,
          datasets: [
            {
              label: 'Answer rate %',
              data: answer.rows.map((r) => rate(r.answerRate)),
              backgroundColor: COLORS.answer,
              borderColor: COLORS.answer,
              spanGaps: true,
            },
            {
              label: 'Acknowledgment rate %',
              data: answer.rows.map((r) => rate(r.acknowledgmentRate)),
              backgroundColor: COLORS.ack,
              borderColor: COLORS.ack,
              spanGaps: true,
            },
          ],
        },
        options: { ...common, scales: { y: { beginAtZero: true, max: 100 } } },
      }),
    ];
  };

  const load = async (query: { from?: string; to?: string; groupBy?: AnalyticsDimension }) => {
    problem.textContent = '';
    try {
      const answer = await deps.api.analytics(query);
      if (!stopped) show(answer);
    } catch (err) {
      if (stopped) return;
      status.hidden = true;
      problem.textContent = err instanceof Error ? err.message : 'The figures could not be loaded.';
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!from.value || !to.value) {
      problem.textContent = 'Choose both dates.';
      return;
    }
    if (from.value > to.value) {
      problem.textContent = 'The first day must not be after the last.';
      return;
    }
    void load({ from: from.value, to: to.value, groupBy: groupBy.value as AnalyticsDimension });
  });
  groupBy.addEventListener('change', () => form.requestSubmit());

  void load({});
  return () => {
    stopped = true;
    for (const c of charts) c.destroy();
    charts = [];
  };
}

/** Rates as percents for the chart; null stays a gap. */
function rate(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1000) / 10;
}

function rowFor(dimension: AnalyticsDimension, key: string, f: AnalyticsFigures): HTMLTableRowElement {
  const cell = (label: string, value: string) => h('td', { class: 'num', 'data-label': label }, value);
  return h(
    'tr',
    { 'data-key': key },
    h('th', { scope: 'row', 'data-label': DIMENSION_LABELS[dimension] }, groupLabel(dimension, key)),
    cell('Dialed', String(f.dialed)),
    cell('Connected', String(f.connected)),
    cell('Answer rate', percent(f.answerRate)),
    cell('Acknowledged', String(f.acknowledged)),
    cell('Ack. rate', percent(f.acknowledgmentRate)),
    cell('Median to ack.', medianDuration(f.medianSecsToAcknowledge)),
    cell('Attention opened', String(f.attentionOpened)),
    cell('Resolved', String(f.attentionResolved)),
  );
}
