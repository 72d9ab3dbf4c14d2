// The approver inbox: the tasks waiting on me, each with what it is about, approve / reject (after a
// confirmation) / delegate; and the tasks I decided. A mail's link #task-<onboarding>-<subscription>
// opens that task. Comments being typed are kept as drafts (session.js) and come back after a reload.
import { $, createSession, drafts, duration, el, messages, mountLogin, newKey, showSignedIn, when } from './session.js';

const { say, fail } = messages();
const auth = createSession({ onChange: show });
const me = () => (auth.session.email || '').toLowerCase();
const taskId = (t) => 'task-' + t.onboardingId + '-' + t.subscription;
const what = (t) => t.subscription + ' for ' + t.tenant.name;
let pendingReject;

function show(signedIn) {
  showSignedIn(auth, signedIn);
  if (signedIn) void load();
}

async function load(focusMemo) {
  const [waiting, decided] = await Promise.all([
    auth.api('GET', '/v1/approvals?status=PENDING'),
    auth.api('GET', '/v1/approvals?scope=decided'),
  ]);
  if (waiting.status === 403)
    return fail('The inbox is for approvers. Onboarding staff follow onboardings in the console (/console).');
  if (waiting.status !== 200) return fail(waiting.data.detail || 'Could not load your tasks (' + waiting.status + ')');
  $('waiting-list').replaceChildren(...waiting.data.items.map(card));
  $('waiting-empty').hidden = waiting.data.items.length > 0;
  $('waiting-count').textContent = String(waiting.data.items.length);
  if (decided.status === 200) {
    $('decided-list').replaceChildren(...decided.data.items.map(decidedCard));
    $('decided-empty').hidden = decided.data.items.length > 0;
  }
  if (focusMemo) restoreFocus(focusMemo);
  else openLinkedTask();
}

/** The task a mail links to: focused in its tab, or a word that it no longer waits for me. */
function openLinkedTask() {
  const match = /^#(task-.+)$/.exec(location.hash);
  if (!match) return;
  const waiting = document.getElementById(match[1]);
  const decided = document.getElementById('done-' + match[1].slice('task-'.length));
  const target = waiting || decided;
  selectTab(decided && !waiting ? 'decided' : 'waiting');
  if (!target) return say('That task no longer waits for you.');
  target.classList.add('linked');
  target.scrollIntoView({ block: 'start' });
  target.focus();
}

function fact(term, ...value) {
  return [el('dt', { text: term }), el('dd', {}, ...value)];
}

function stagesText(t) {
  const stages = t.stages || [t.stage || 'AM'];
  if (stages.length < 2) return 'one stage: ' + (t.stage || 'AM');
  const done = (t.decisions || []).map((d) => d.stage + ' ' + d.decision.toLowerCase() + 'd by ' + d.decidedBy);
  return stages.join(' then ') + ' · now: ' + t.stage + (done.length ? ' · ' + done.join('; ') : '');
}

function card(t) {
  const id = taskId(t);
  const delegatedToMe = t.delegateEmail && t.delegateEmail.toLowerCase() === me();
  const mine = t.approverEmail.toLowerCase() === me();
  const headingId = id + '-h';
  const comment = el('textarea', { id: id + '-comment', maxlength: 2000, 'data-role': 'comment' });
  comment.value = drafts.get(id);
  comment.addEventListener('input', () => drafts.set(id, comment.value));

  const button = (text, role, cls, onclick) =>
    el('button', { type: 'button', class: cls, 'data-role': role, 'aria-label': text + ' ' + what(t), onclick }, text);
  const actions = el(
    'div',
    { class: 'actions' },
    button('Approve', 'approve', '', () => decide(t, 'APPROVE', comment)),
    button('Reject', 'reject', 'reject', () => confirmReject(t, comment)),
  );

  const others = t.requestedSubscriptions
    .map(
      (s) => s.subscription + (s.subscription === t.subscription ? ' (this one)' : ' (' + s.status.toLowerCase() + ')'),
    )
    .join(', ');
  const facts = el(
    'dl',
    {},
    ...fact(
      'Customer',
      t.tenant.name + ' (' + t.tenant.partnerProvidedId + ')' + (t.tenant.plan ? ' · plan ' + t.tenant.plan : ''),
    ),
    ...fact('Requested subscriptions', others),
    ...fact(
      'Invoice data access',
      t.invoiceDataAccess === null ? 'not known yet' : t.invoiceDataAccess ? 'yes: its tokens may read invoices' : 'no',
    ),
    ...fact('Asked by', t.requestedBy + ', ' + duration(t.waitingSeconds) + ' ago'),
    ...fact('Stages', stagesText(t)),
    ...(delegatedToMe
      ? fact('Delegated', 'to you by ' + t.approverEmail)
      : t.delegateEmail
        ? fact('Delegated', 'to ' + t.delegateEmail)
        : []),
    ...fact(
      'Escalates',
      t.escalatedTo && t.escalatedTo.length ? 'escalated to ' + t.escalatedTo.join(', ') : when(t.escalatesAt),
    ),
    ...fact('Expires', when(t.expiresAt)),
  );

  const article = el(
    'article',
    { id, class: 'task', tabindex: -1, 'aria-labelledby': headingId },
    el('h3', { id: headingId, text: what(t) }),
    facts,
    el('label', { for: comment.id }, 'Comment', el('span', { class: 'sr-only', text: ' on ' + what(t) })),
    comment,
    actions,
  );
  if (mine) article.append(delegateForm(t));
  return article;
}

function delegateForm(t) {
  const id = taskId(t);
  const to = el('input', { id: id + '-to', type: 'email', required: true, autocomplete: 'off' });
  const reason = el('input', { id: id + '-reason', required: true, maxlength: 1000 });
  const form = el(
    'form',
    { class: 'delegate', onsubmit: (e) => (e.preventDefault(), void delegate(t, to.value, reason.value)) },
    el('label', { for: to.id }, 'Delegate to (email)', el('span', { class: 'sr-only', text: ' for ' + what(t) })),
    to,
    el('label', { for: reason.id }, 'Reason', el('span', { class: 'sr-only', text: ' for delegating ' + what(t) })),
    reason,
    el('button', { type: 'submit', 'data-role': 'delegate', 'aria-label': 'Delegate ' + what(t) }, 'Delegate'),
  );
  return el('details', {}, el('summary', { text: 'Delegate…' }), form);
}

function decidedCard(t) {
  const mine =
    t.myDecisions && t.myDecisions.length
      ? t.myDecisions
      : [
          {
            decision: t.status === 'REJECTED' ? 'REJECT' : 'APPROVE',
            decidedAt: t.decidedAt,
            comment: t.comment,
            stage: t.stage,
          },
        ];
  return el(
    'article',
    { id: 'done-' + t.onboardingId + '-' + t.subscription, class: 'task', tabindex: -1 },
    el('h3', { text: what(t) }),
    el(
      'dl',
      {},
      ...fact('Customer', t.tenant.name + ' (' + t.tenant.partnerProvidedId + ')'),
      ...mine.flatMap((d) =>
        fact(
          'You ' + (d.decision === 'REJECT' ? 'rejected' : 'approved'),
          when(d.decidedAt) +
            (d.comment ? ' · “' + d.comment + '”' : '') +
            ((t.stages || []).length > 1 ? ' · as ' + d.stage : ''),
        ),
      ),
      ...fact(
        'Now',
        t.status.toLowerCase() + (t.status === 'PENDING' ? ' with the ' + t.stage + ' (' + t.approverEmail + ')' : ''),
      ),
    ),
  );
}

/** Where focus was (task and control) and the task's place, so that it lands in the same place after the list changes. */
function focusMemo(t) {
  const cards = [...$('waiting-list').children];
  const active = document.activeElement;
  return {
    id: taskId(t),
    index: cards.findIndex((c) => c.id === taskId(t)),
    role: active && active.dataset ? active.dataset.role : undefined,
  };
}

function restoreFocus(memo) {
  const cards = [...$('waiting-list').children];
  const target = document.getElementById(memo.id) || cards[Math.min(memo.index, cards.length - 1)];
  if (!target) return $('waiting-empty').focus();
  const control = memo.role && target.querySelector('[data-role="' + memo.role + '"]');
  (control || target).focus();
}

async function decide(t, decision, comment, memo = focusMemo(t)) {
  const text = comment.value.trim();
  const body = { subscription: t.subscription, decision, ...(text ? { comment: text } : {}) };
  const { status, data } = await auth.api(
    'POST',
    '/v1/onboardings/' + encodeURIComponent(t.onboardingId) + '/approvals',
    body,
    { 'idempotency-key': newKey() },
  );
  if (status === 200) {
    drafts.remove(taskId(t));
    say(
      what(t) + ': ' + (data.status === 'PENDING' ? 'approved; now with the ' + data.stage : data.status.toLowerCase()),
    );
  } else fail(data.detail || 'The decision was not recorded (' + status + ')');
  await load(memo);
}

function confirmReject(t, comment) {
  pendingReject = { t, comment, memo: focusMemo(t) };
  $('confirm-text').textContent = 'Reject ' + what(t) + '? It will not be assigned, and ' + t.requestedBy + ' is told.';
  $('confirm-comment').textContent = comment.value.trim()
    ? 'Your comment: ' + comment.value.trim()
    : 'No comment given.';
  $('confirm-reject').showModal();
  $('confirm-no').focus();
}

async function delegate(t, to, reason) {
  const memo = { ...focusMemo(t), role: 'delegate' };
  const { status, data } = await auth.api(
    'POST',
    '/v1/onboardings/' + encodeURIComponent(t.onboardingId) + '/delegations',
    { subscription: t.subscription, to: to.trim(), reason: reason.trim() },
    { 'idempotency-key': newKey() },
  );
  if (status === 200) say(what(t) + ': delegated to ' + data.delegateEmail);
  else fail((data.errors && data.errors[0] ? data.errors[0].message : data.detail) || 'Not delegated (' + status + ')');
  await load(memo);
}

function selectTab(name) {
  for (const tab of document.querySelectorAll('[role=tab]')) {
    const selected = tab.dataset.tab === name;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(tab.getAttribute('aria-controls')).hidden = !selected;
  }
}

for (const tab of document.querySelectorAll('[role=tab]')) {
  tab.addEventListener('click', () => selectTab(tab.dataset.tab));
  tab.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const tabs = [...document.querySelectorAll('[role=tab]')];
    const next = tabs[(tabs.indexOf(tab) + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
    selectTab(next.dataset.tab);
    next.focus();
  });
}

$('confirm-yes').addEventListener('click', () => {
  $('confirm-reject').close();
  const { t, comment, memo } = pendingReject;
  pendingReject = undefined;
  void decide(t, 'REJECT', comment, memo);
});
$('confirm-no').addEventListener('click', () => $('confirm-reject').close());
$('confirm-reject').addEventListener('close', () => {
  if (!pendingReject) return;
  const { memo } = pendingReject;
  pendingReject = undefined;
  restoreFocus(memo);
});
window.addEventListener('hashchange', openLinkedTask);

mountLogin(auth, { say, fail });
show(!!auth.session.token);
