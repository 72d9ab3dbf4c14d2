// The staff console: /console lists onboardings (filters, status chips, a chart of outcomes, time to
// complete); /console/onboardings/<id> shows one: steps, approvals and their audit trail, clients, kit,
// and the actions its state allows. Everything shown is set as text; the chart is SVG built here.
import { $, createSession, duration, el, messages, mountLogin, newKey, showSignedIn, when } from './session.js';

const { say, fail } = messages();
const auth = createSession({ onChange: show });
const STATUSES = [
  'RUNNING',
  'AWAITING_APPROVAL',
  'AWAITING_CREDENTIALS',
  'VERIFYING_CONNECTIVITY',
  'COMPLETED',
  'REJECTED',
  'CANCELLED',
  'FAILED',
];
const OPEN = STATUSES.slice(0, 4);
const OUTCOMES = ['COMPLETED', 'REJECTED', 'CANCELLED', 'FAILED', 'OPEN'];
const COLOURS = { COMPLETED: '#2e7d4f', REJECTED: '#c77700', CANCELLED: '#6b6b6b', FAILED: '#a51d2d', OPEN: '#1a5fb4' };
const detailId = (/^\/console\/onboardings\/([0-9a-f-]{36})$/i.exec(location.pathname) || [])[1];
let cursor = null;
let refreshTimer;

const CHIP = {
  COMPLETED: 'ok',
  DONE: 'ok',
  APPROVED: 'ok',
  CONNECTED: 'ok',
  ASSIGNED: 'ok',
  AWAITING_APPROVAL: 'wait',
  AWAITING_CREDENTIALS: 'wait',
  PENDING: 'wait',
  REJECTED: 'bad',
  FAILED: 'bad',
  EXPIRED: 'bad',
  CANCELLED: 'off',
  SKIPPED: 'off',
  COMPENSATED: 'off',
  RUNNING: 'run',
  VERIFYING_CONNECTIVITY: 'run',
};
const chip = (status) =>
  el('span', { class: 'chip chip-' + (CHIP[status] || 'off'), text: status.replace(/_/g, ' ').toLowerCase() });
const td = (label, ...content) => el('td', { 'data-label': label }, ...content);

function show(signedIn) {
  showSignedIn(auth, signedIn);
  clearTimeout(refreshTimer);
  if (!signedIn) return;
  if (auth.session.role !== 'staff' && auth.session.role !== 'admin') {
    $('list-view').hidden = $('detail-view').hidden = true;
    return fail('The console is for onboarding staff. Approvers decide in the approvals inbox (/inbox).');
  }
  $('list-view').hidden = !!detailId;
  $('detail-view').hidden = !detailId;
  if (detailId) void loadDetail(true);
  else void Promise.all([loadList(false), loadStats()]);
}

// --- the list ---------------------------------------------------------------------------------

function filtersFromUrl() {
  const params = new URLSearchParams(location.search);
  $('filter-status').value = STATUSES.includes(params.get('status')) ? params.get('status') : '';
  $('filter-tenant').value = params.get('q') || '';
}

async function loadList(more) {
  const params = new URLSearchParams({ limit: '20' });
  if ($('filter-status').value) params.set('status', $('filter-status').value);
  if ($('filter-tenant').value.trim()) params.set('q', $('filter-tenant').value.trim());
  if (more && cursor) params.set('cursor', cursor);
  const { status, data } = await auth.api('GET', '/v1/onboardings?' + params);
  if (status !== 200) return fail(data.detail || 'Could not load the onboardings (' + status + ')');
  const rows = data.items.map((o) => {
    const step =
      o.steps.find((s) => s.status === 'RUNNING' || s.status === 'FAILED') ||
      [...o.steps].reverse().find((s) => s.status === 'DONE');
    return el(
      'tr',
      {},
      td(
        'Tenant',
        el('a', { href: '/console/onboardings/' + o.id, text: o.tenant.name }),
        ' (' + o.tenant.partnerProvidedId + ')',
      ),
      td('Status', chip(o.status)),
      td('Step', step ? step.name : '—'),
      td('Started', when(o.createdAt)),
      td('Started by', o.startedBy || '—'),
    );
  });
  const body = $('onboardings').querySelector('tbody');
  if (more) body.append(...rows);
  else body.replaceChildren(...rows);
  cursor = data.nextCursor;
  $('more').hidden = !cursor;
  $('onboardings').hidden = body.children.length === 0;
  $('list-empty').hidden = body.children.length > 0;
}

async function loadStats() {
  const { status, data } = await auth.api('GET', '/v1/stats/onboardings?days=30');
  if (status !== 200) return;
  drawChart(data.days);
  const t = data.timeToComplete;
  $('percentiles').replaceChildren(
    el('dt', { text: 'Completed' }),
    el('dd', { text: t.count + ' in ' + data.days.length + ' days' }),
    el('dt', { text: 'p50' }),
    el('dd', { text: duration(t.p50Seconds) }),
    el('dt', { text: 'p90' }),
    el('dd', { text: duration(t.p90Seconds) }),
    el('dt', { text: 'p99' }),
    el('dd', { text: duration(t.p99Seconds) }),
  );
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

/** Stacked bars, one per day; presentation attributes only (no inline style, which the CSP refuses). */
function drawChart(days) {
  const width = 600,
    height = 200,
    left = 28,
    bottom = 22,
    top = 8;
  const totals = days.map((d) => OUTCOMES.reduce((n, o) => n + d.counts[o], 0));
  const max = Math.max(1, ...totals);
  const step = (width - left) / days.length;
  const y = (n) => ((height - bottom - top) * n) / max;
  const bars = days.flatMap((d, i) => {
    let base = height - bottom;
    return OUTCOMES.filter((o) => d.counts[o] > 0).map((o) => {
      const h = y(d.counts[o]);
      base -= h;
      return svg(
        'rect',
        { x: left + i * step + 1, y: base, width: Math.max(1, step - 2), height: h, fill: COLOURS[o] },
        svg('title', {}, d.day + ': ' + d.counts[o] + ' ' + o.toLowerCase()),
      );
    });
  });
  const axis = [
    svg('line', { x1: left, y1: height - bottom, x2: width, y2: height - bottom, stroke: '#1a1a1a' }),
    svg('text', { x: left - 4, y: top + 10, 'text-anchor': 'end', 'font-size': 11, fill: '#1a1a1a' }, String(max)),
    svg('text', { x: left - 4, y: height - bottom, 'text-anchor': 'end', 'font-size': 11, fill: '#1a1a1a' }, '0'),
    svg('text', { x: left, y: height - 6, 'font-size': 11, fill: '#1a1a1a' }, days[0].day),
    svg(
      'text',
      { x: width, y: height - 6, 'text-anchor': 'end', 'font-size': 11, fill: '#1a1a1a' },
      days[days.length - 1].day,
    ),
  ];
  const sum = (o) => days.reduce((n, d) => n + d.counts[o], 0);
  const summary = days.length + ' days: ' + OUTCOMES.map((o) => sum(o) + ' ' + o.toLowerCase()).join(', ');
  $('chart').replaceChildren(
    svg(
      'svg',
      { viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-labelledby': 'chart-heading chart-summary' },
      svg('desc', { id: 'chart-summary' }, summary),
      ...axis,
      ...bars,
    ),
  );
  $('chart-legend').replaceChildren(
    ...OUTCOMES.map((o) => el('li', {}, el('span', { class: 'swatch swatch-' + o }), o.toLowerCase() + ' ' + sum(o))),
  );
  const active = days.filter((_, i) => totals[i] > 0);
  $('chart-table').replaceChildren(
    active.length === 0
      ? el('p', { text: 'No onboarding started in these days.' })
      : el(
          'table',
          {},
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              el('th', { scope: 'col', text: 'Day' }),
              ...OUTCOMES.map((o) => el('th', { scope: 'col', text: o.toLowerCase() })),
            ),
          ),
          el(
            'tbody',
            {},
            ...active.map((d) =>
              el(
                'tr',
                {},
                el('th', { scope: 'row', text: d.day }),
                ...OUTCOMES.map((o) => el('td', { text: String(d.counts[o]) })),
              ),
            ),
          ),
        ),
  );
}

// --- one onboarding ----------------------------------------------------------------------------

let shownActions = '';

async function loadDetail(first) {
  const [viewAnswer, auditAnswer] = await Promise.all([
    auth.api('GET', '/v1/onboardings/' + detailId),
    auth.api('GET', '/v1/onboardings/' + detailId + '/audit'),
  ]);
  if (viewAnswer.status !== 200)
    return fail(viewAnswer.data.detail || 'Could not load the onboarding (' + viewAnswer.status + ')');
  const o = viewAnswer.data;
  document.title = o.tenant.name + ' · gangway console';
  $('detail-heading').replaceChildren(o.tenant.name + ' (' + o.tenant.partnerProvidedId + ') ', chip(o.status));
  $('summary').replaceChildren(
    ...fact('Onboarding', o.id),
    ...fact('Workflow', o.workflowId),
    ...fact('Started', when(o.createdAt) + ' by ' + (o.startedBy || '—')),
    ...fact('Last change', when(o.updatedAt)),
    ...(o.reason ? fact('Reason', o.reason) : []),
    ...fact('Subscriptions', o.subscriptions.map((s) => s.code + ' ' + s.status.toLowerCase()).join(', ') || '—'),
    ...fact('Integration user', o.integrationUser.username || '—'),
    ...fact('API client', o.clientId || '—'),
  );
  renderSteps(o);
  renderApprovals(o, auditAnswer.status === 200 ? auditAnswer.data.items : []);
  renderClients(o);
  renderKit(o);
  renderActions(o);
  if (first) $('detail-heading').focus();
  clearTimeout(refreshTimer);
  // An open onboarding moves on by itself: follow it while the page is open.
  if (OPEN.includes(o.status)) refreshTimer = setTimeout(() => void loadDetail(false), 3000);
}

function fact(term, value) {
  return [el('dt', { text: term }), el('dd', { text: value })];
}

function seconds(from, to) {
  return from && to ? (Date.parse(to) - Date.parse(from)) / 1000 : null;
}

function renderSteps(o) {
  $('timeline')
    .querySelector('tbody')
    .replaceChildren(
      ...o.steps.map((s) =>
        el(
          'tr',
          {},
          td('Step', s.name),
          td('Status', chip(s.status)),
          td('Started', when(s.startedAt)),
          td('Finished', when(s.finishedAt)),
          td(
            'Took',
            s.startedAt && !s.finishedAt && s.status === 'RUNNING'
              ? duration(seconds(s.startedAt, new Date().toISOString())) + ' so far'
              : duration(seconds(s.startedAt, s.finishedAt)),
          ),
          td('Detail', s.detail || '—'),
        ),
      ),
    );
}

function renderApprovals(o, audit) {
  $('approvals')
    .querySelector('tbody')
    .replaceChildren(
      ...o.approvals.map((a) =>
        el(
          'tr',
          {},
          td('Subscription', a.subscription),
          td('Status', chip(a.status)),
          td(
            'Approver',
            a.approverEmail +
              (a.stage && (a.stages || []).length > 1 ? ' (' + a.stage + ')' : '') +
              (a.delegateEmail ? ', delegated to ' + a.delegateEmail : ''),
          ),
          td('Decided by', a.decidedBy || '—'),
          td('Decided', when(a.decidedAt)),
          td('Comment', a.comment || '—'),
        ),
      ),
    );
  $('audit')
    .querySelector('tbody')
    .replaceChildren(
      ...audit.map((e) =>
        el(
          'tr',
          {},
          td('When', when(e.occurredAt)),
          td('Who', e.actor),
          td('What', e.action.replace(/_/g, ' ').toLowerCase()),
          td('Subscription', e.subscription || '—'),
          td('Why', e.reason || '—'),
        ),
      ),
    );
}

function renderClients(o) {
  $('clients').hidden = o.clients.length === 0;
  $('clients-empty').hidden = o.clients.length > 0;
  $('clients')
    .querySelector('tbody')
    .replaceChildren(
      ...o.clients.map((c) =>
        el(
          'tr',
          {},
          td('Client', c.partnerProvidedId),
          td('Connectivity', chip(c.connectivity), c.awaitingCredentials ? ' · waiting for credentials' : ''),
          td('Attempts', String(c.attempts)),
          td('Checks', String(c.checks ?? 0)),
          td('Last error', c.lastError || '—'),
          td('Last checked', when(c.lastCheckedAt)),
        ),
      ),
    );
}

function renderKit(o) {
  const delivered = o.steps.some((s) => s.name === 'DELIVER_KIT' && s.status === 'DONE');
  const kit = o.kit;
  $('kit').replaceChildren(
    ...fact('Delivered', delivered ? 'yes' : 'not yet'),
    ...(kit
      ? [
          ...fact('Opened', kit.openedAt ? when(kit.openedAt) : 'not opened'),
          ...fact('Password set', kit.passwordSetAt ? when(kit.passwordSetAt) : 'not yet'),
        ]
      : delivered
        ? fact('Opened', 'not shown by this server')
        : []),
  );
}

/** What can be done now, by the view's state; the server decides again and answers 409 otherwise. */
function applicableActions(o) {
  const open = OPEN.includes(o.status);
  const delivered = o.steps.some((s) => s.name === 'DELIVER_KIT' && s.status === 'DONE');
  const resend = [];
  if (o.status === 'AWAITING_APPROVAL') resend.push({ kind: 'APPROVAL_REQUEST', label: 'Resend the approval request' });
  for (const c of o.clients)
    if (c.awaitingCredentials)
      resend.push({
        kind: 'COLLECTOR',
        client: c.partnerProvidedId,
        label: 'Resend the collector link to ' + c.partnerProvidedId,
      });
  if (delivered && !(o.kit && o.kit.openedAt)) resend.push({ kind: 'KIT', label: 'Resend the kit link' });
  if (o.kit && o.kit.openedAt && !o.kit.passwordSetAt)
    resend.push({ kind: 'SET_PASSWORD', label: 'Resend the set-password link' });
  return {
    cancel: open,
    resend,
    retry: o.clients.filter((c) => c.connectivity === 'FAILED').map((c) => c.partnerProvidedId),
    fixContact: open ? o.clients.map((c) => c.partnerProvidedId) : null,
  };
}

function renderActions(o) {
  const actions = applicableActions(o);
  const key = JSON.stringify(actions);
  // Re-rendered only when what is possible changes, so that a form being filled in keeps its text and focus.
  if (key === shownActions) return;
  shownActions = key;
  const parts = [];
  if (actions.cancel) parts.push(cancelForm(o));
  for (const r of actions.resend)
    parts.push(
      el(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => void post('/resend', { kind: r.kind, ...(r.client ? { client: r.client } : {}) }, r.label),
        },
        r.label,
      ),
    );
  for (const client of actions.retry)
    parts.push(
      el(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () =>
            void post('/clients/' + encodeURIComponent(client) + '/retry', undefined, 'Retry client ' + client),
        },
        'Retry client ' + client,
      ),
    );
  if (actions.fixContact) parts.push(fixContactForm(actions.fixContact));
  $('actions').replaceChildren(
    ...(parts.length ? parts : [el('p', { text: 'Nothing to do: this onboarding has ended.' })]),
  );
}

function cancelForm(o) {
  const reason = el('input', { id: 'cancel-reason', required: true, maxlength: 1000 });
  return el(
    'form',
    {
      class: 'panel',
      'aria-labelledby': 'cancel-heading',
      onsubmit: (event) => {
        event.preventDefault();
        confirmAction(
          'Cancel this onboarding?',
          'Cancel the onboarding of ' +
            o.tenant.name +
            '? gangway undoes what it created (tenant, user, API client) and it ends cancelled.',
          'Yes, cancel it',
          () => post('/cancel', { reason: reason.value.trim() }, 'Cancellation'),
        );
      },
    },
    el('h4', { id: 'cancel-heading', text: 'Cancel' }),
    el('label', { for: 'cancel-reason', text: 'Reason' }),
    reason,
    el('button', { type: 'submit', class: 'danger' }, 'Cancel onboarding'),
  );
}

function fixContactForm(clients) {
  const notify = el('input', { id: 'fix-notify', type: 'email' });
  const client = el(
    'select',
    { id: 'fix-client' },
    el('option', { value: '', text: 'None' }),
    ...clients.map((c) => el('option', { value: c, text: c })),
  );
  const contact = el('input', { id: 'fix-contact', type: 'email' });
  return el(
    'form',
    {
      class: 'panel',
      'aria-labelledby': 'fix-heading',
      onsubmit: (event) => {
        event.preventDefault();
        const body = {};
        if (notify.value.trim()) body.notify = { email: notify.value.trim() };
        if (client.value && contact.value.trim())
          body.clients = [{ partnerProvidedId: client.value, contactEmail: contact.value.trim() }];
        if (!body.notify && !body.clients)
          return fail('Give a new customer email, or a client and its new contact email');
        void post('', body, 'Contact change', 'PATCH');
      },
    },
    el('h4', { id: 'fix-heading', text: 'Fix a contact' }),
    el('label', { for: 'fix-notify', text: 'New customer notification email' }),
    notify,
    ...(clients.length
      ? [
          el('label', { for: 'fix-client', text: 'Client' }),
          client,
          el('label', { for: 'fix-contact', text: 'New client contact email' }),
          contact,
        ]
      : []),
    el('button', { type: 'submit', class: 'secondary' }, 'Save contact'),
  );
}

async function post(suffix, body, label, method = 'POST') {
  const { status, data } = await auth.api(method, '/v1/onboardings/' + detailId + suffix, body, {
    'idempotency-key': newKey(),
  });
  if (status >= 200 && status < 300) say(label + ': done');
  else
    fail(
      label +
        ' refused: ' +
        ((data.errors && data.errors[0] ? data.errors[0].path + ' ' + data.errors[0].message : data.detail) || status),
    );
  await loadDetail(false);
}

let confirmed;
function confirmAction(heading, text, yes, action) {
  confirmed = action;
  $('confirm-heading').textContent = heading;
  $('confirm-text').textContent = text;
  $('confirm-yes').textContent = yes;
  $('confirm').showModal();
  $('confirm-no').focus();
}
$('confirm-yes').addEventListener('click', () => {
  const action = confirmed;
  confirmed = undefined;
  $('confirm').close();
  if (action) void action();
});
$('confirm-no').addEventListener('click', () => $('confirm').close());

// --- wiring ------------------------------------------------------------------------------------

$('filter-status').append(...STATUSES.map((s) => el('option', { value: s, text: s.replace(/_/g, ' ').toLowerCase() })));
filtersFromUrl();
$('filters').addEventListener('submit', (event) => {
  event.preventDefault();
  const params = new URLSearchParams();
  if ($('filter-status').value) params.set('status', $('filter-status').value);
  if ($('filter-tenant').value.trim()) params.set('q', $('filter-tenant').value.trim());
  history.replaceState(null, '', '/console' + (params.size ? '?' + params : ''));
  void loadList(false);
});
$('more').addEventListener('click', () => void loadList(true));
mountLogin(auth, { say, fail });
show(!!auth.session.token);
