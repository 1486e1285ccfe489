import { AGE_BUCKETS, type AgedReceivables, type ChannelRow, type VolumeRow } from '../../domain/reports/aggregate';

/**
 * The management dashboard: one self-contained HTML page. Its data travels as JSON inside the page
 * (escaped so no value can close the script element), Chart.js comes from GET /reports/assets/, and
 * the only scripts that run are the two carrying the per-response nonce the Content-Security-Policy
 * names. Every chart has a table with the exact figures under it (screen readers, no JavaScript).
 */

export interface DeferredMonth {
  travelMonth: string;
  currency: string;
  items: number;
  remaining: string;
}

export interface DashboardData {
  asOf: string;
  from: string;
  to: string;
  volume: VolumeRow[];
  channels: ChannelRow[];
  deferred: DeferredMonth[];
  receivables: AgedReceivables;
}

/** The page's Content-Security-Policy: nothing but its own nonce-bearing scripts and styles. */
export function dashboardCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "base-uri 'none'",
    // The sign-out button's form, to this origin only.
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string | number): string => String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** JSON safe inside a <script> element: no "<", ">" or "&" (so no "</script>" or "<!--"), no JS line separators. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function table(id: string, caption: string, head: string[], rows: Array<Array<string | number>>): string {
  const body = rows.length ? rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${escapeHtml(c)}</th>` : `<td>${escapeHtml(c)}</td>`)).join('')}</tr>`).join('\n') : `<tr><td colspan="${head.length}">No data</td></tr>`;
  return `<table id="${id}"><caption>${escapeHtml(caption)}</caption><thead><tr>${head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function section(id: string, title: string, tableHtml: string): string {
  return `<section aria-labelledby="${id}-title"><h2 id="${id}-title">${escapeHtml(title)}</h2>
<div class="chart"><canvas id="${id}-chart" role="img" aria-label="${escapeHtml(title)} chart; the figures are in the table below" aria-describedby="${id}-table"></canvas></div>
${tableHtml}</section>`;
}

function headline(data: DashboardData): string {
  const bookings = data.volume.reduce((n, r) => n + r.bookings, 0);
  const gross = [...new Set(data.channels.map((c) => c.currency))].sort();
  const overdue = data.receivables.totals.map((t) => `${t.currency} ${t.total}`);
  return `<dl class="headline">
<div><dt>Bookings ${escapeHtml(data.from)} to ${escapeHtml(data.to)}</dt><dd data-figure="bookings">${bookings}</dd></div>
<div><dt>Sales currencies</dt><dd>${escapeHtml(gross.join(', ') || 'none')}</dd></div>
<div><dt>Receivables outstanding</dt><dd data-figure="receivables">${escapeHtml(overdue.join(' · ') || 'none')}</dd></div>
</dl>`;
}

/** The client script: static text (no data interpolated), run under the nonce. */
const CLIENT_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('dashboard-data').textContent);
  var palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
  function unique(xs) { return xs.filter(function (x, i) { return xs.indexOf(x) === i; }).sort(); }
  // Chart heights only: the exact decimal figures are in the tables.
  function byCurrency(rows, labelOf, labels, valueOf) {
    return unique(rows.map(function (r) { return r.currency; })).map(function (currency, i) {
      return {
        label: currency,
        backgroundColor: palette[i % palette.length],
        data: labels.map(function (label) {
          return rows.filter(function (r) { return r.currency === currency && labelOf(r) === label; })
            .reduce(function (sum, r) { return sum + Number(valueOf(r)); }, 0);
        })
      };
    });
  }
  function draw(id, labels, datasets) {
    return new Chart(document.getElementById(id), {
      type: 'bar',
      data: { labels: labels, datasets: datasets },
      options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { position: 'bottom' } } }
    });
  }
  var months = unique(data.volume.map(function (r) { return r.key; }));
  draw('volume-chart', months, [{
    label: 'Bookings',
    backgroundColor: palette[0],
    data: months.map(function (m) {
      return data.volume.filter(function (r) { return r.key === m; }).reduce(function (n, r) { return n + r.bookings; }, 0);
    })
  }]);
  var channels = unique(data.channels.map(function (r) { return r.channel; }));
  draw('channels-chart', channels, byCurrency(data.channels, function (r) { return r.channel; }, channels, function (r) { return r.gross; }));
  var travelMonths = unique(data.deferred.map(function (r) { return r.travelMonth; }));
  draw('deferred-chart', travelMonths, byCurrency(data.deferred, function (r) { return r.travelMonth; }, travelMonths, function (r) { return r.remaining; }));
  var buckets = data.receivables.buckets;
  draw('receivables-chart', buckets, data.receivables.totals.map(function (t, i) {
    return { label: t.currency, backgroundColor: palette[i % palette.length], data: buckets.map(function (b) { return Number(t[b]); }) };
  }));
  document.body.setAttribute('data-rendered', 'true');
})();
`;

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1a1a1a; }
.headline { display: flex; gap: 2rem; flex-wrap: wrap; }
.headline dd { font-size: 1.6rem; margin: 0; }
section { margin-top: 2rem; }
.chart { position: relative; height: 280px; max-width: 900px; }
table { border-collapse: collapse; margin-top: 0.75rem; }
th, td { border: 1px solid #bbb; padding: 0.25rem 0.5rem; text-align: right; }
caption { text-align: left; font-weight: bold; }
.session { float: right; display: flex; gap: 0.75rem; align-items: center; }
`;

export interface DashboardPageOptions {
  assetPath?: string;
  /**
   * The browser session's CSRF token (signed in with the session cookie): the page then carries a
   * sign-out button (a form with the token) and the token in a meta tag for scripts.
   */
  csrfToken?: string;
  /** Who is signed in, shown beside the sign-out button. */
  signedInAs?: string;
}

function sessionBar(opts: DashboardPageOptions): string {
  if (!opts.csrfToken) return '';
  const who = opts.signedInAs ? `<span>Signed in as ${escapeHtml(opts.signedInAs)}</span> ` : '';
  return `<form method="post" action="/auth/sign-out" class="session" id="sign-out-form">${who}<input type="hidden" name="_csrf" value="${escapeHtml(opts.csrfToken)}"><button type="submit">Sign out</button></form>`;
}

/** The dashboard page for `data`, its scripts and style bearing `nonce`. */
export function renderDashboard(data: DashboardData, nonce: string, opts: DashboardPageOptions = {}): string {
  const assetPath = opts.assetPath ?? '/reports/assets/chart.umd.min.js';
  const n = escapeHtml(nonce);
  const volume = section(
    'volume',
    'Booking volume by month',
    table('volume-table', `Bookings by booking month, ${data.from} to ${data.to}`, ['Month', 'Currency', 'Bookings', 'Travellers', 'Gross', 'Cancelled', 'Cancelled gross'], data.volume.map((r) => [r.key, r.currency, r.bookings, r.pax, r.gross, r.cancelledBookings, r.cancelledGross])),
  );
  const channels = section(
    'channels',
    'Revenue by channel',
    table('channels-table', `Sales by channel, ${data.from} to ${data.to}`, ['Channel', 'Currency', 'Bookings', 'Gross', 'Commission', 'Net'], data.channels.map((r) => [r.channel, r.currency, r.bookings, r.gross, r.commission ?? 'not recorded', r.net ?? 'not recorded'])),
  );
  const deferred = section(
    'deferred',
    'Deferred revenue by travel month',
    table('deferred-table', `Deferred revenue as of ${data.asOf}`, ['Travel month', 'Currency', 'Items', 'Remaining'], data.deferred.map((r) => [r.travelMonth, r.currency, r.items, r.remaining])),
  );
  const receivables = section(
    'receivables',
    'Aged receivables',
    table('receivables-table', `Customer balances by days overdue as of ${data.asOf}`, ['Currency', ...AGE_BUCKETS, 'Total'], data.receivables.totals.map((t) => [t.currency, ...AGE_BUCKETS.map((b) => t[b]), t.total])),
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Itinera management dashboard</title>
<link rel="icon" href="data:,">
${opts.csrfToken ? `<meta name="csrf-token" content="${escapeHtml(opts.csrfToken)}">\n` : ''}<style nonce="${n}">${STYLE}</style>
</head>
<body>
${sessionBar(opts)}
<main>
<h1>Management dashboard</h1>
<p>As of ${escapeHtml(data.asOf)}. Amounts are per currency and never added across currencies.</p>
${headline(data)}
${volume}
${channels}
${deferred}
${receivables}
</main>
<script type="application/json" id="dashboard-data">${scriptSafeJson(data)}</script>
<script nonce="${n}" src="${escapeHtml(assetPath)}"></script>
<script nonce="${n}">${CLIENT_SCRIPT}</script>
</body>
</html>`;
}
