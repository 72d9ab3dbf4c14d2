/**
 * The approver inbox: one static page and one small script, no CDN (it works offline). The script
 * logs in with /v1/login, keeps the access token in sessionStorage (gone with the tab), lists
 * /v1/approvals and posts decisions; everything it shows is set as text, never as HTML.
 */

export const inboxPage = () => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>gangway · approvals inbox</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
  header { display: flex; justify-content: space-between; align-items: baseline; }
  label { display: block; margin-top: .75rem; font-weight: 600; }
  input, textarea { width: 100%; padding: .45rem; font: inherit; border: 1px solid #767676; border-radius: 4px; box-sizing: border-box; }
  textarea { min-height: 2.5rem; }
  :focus-visible { outline: 3px solid #1a5fb4; outline-offset: 1px; }
  button { margin-top: .75rem; padding: .5rem 1rem; font: inherit; border: 0; border-radius: 4px; background: #1a5fb4; color: #fff; cursor: pointer; }
  button.reject { background: #a51d2d; }
  button.quiet { background: none; color: #1a5fb4; text-decoration: underline; padding: 0; }
  table { width: 100%; border-collapse: collapse; margin-top: 1rem; }
  caption { text-align: left; font-weight: 600; padding-bottom: .5rem; }
  th, td { text-align: left; vertical-align: top; padding: .6rem .5rem; border-bottom: 1px solid #d0d0d0; }
  td .actions { display: flex; gap: .5rem; }
  [role=status] { color: #1c7a48; font-weight: 600; margin: .25rem 0; }
  [role=alert] { color: #a51d2d; font-weight: 600; margin: .25rem 0; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  td label { margin-top: 0; font-weight: 400; font-size: .9rem; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<header>
  <h1>Approvals inbox</h1>
  <p id="who" hidden><span id="who-email"></span> · <button type="button" class="quiet" id="logout">Log out</button></p>
</header>
<main>
  <p role="alert" id="error"></p>
  <p role="status" id="status"></p>
  <section id="login-section" aria-labelledby="login-heading">
    <h2 id="login-heading">Log in</h2>
    <form id="login">
      <label for="email">Email</label>
      <input id="email" name="email" type="email" autocomplete="username" required>
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
      <button type="submit">Log in</button>
    </form>
  </section>
  <section id="tasks-section" hidden aria-labelledby="tasks-heading">
    <h2 id="tasks-heading">Waiting for your decision</h2>
    <p id="empty" hidden>Nothing waits for you.</p>
    <table id="tasks" hidden>
      <caption>Pending approval tasks, longest waiting first</caption>
      <thead><tr><th scope="col">Tenant</th><th scope="col">Subscription</th><th scope="col">Asked by</th><th scope="col">Waiting</th><th scope="col">Decision</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
</main>
<script src="/inbox/app.js"></script>
</body>
</html>`;

export const inboxScript = `'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const session = {
    get token() { return sessionStorage.getItem('gangway.accessToken'); },
    get email() { return sessionStorage.getItem('gangway.email'); },
    save(token, email) { sessionStorage.setItem('gangway.accessToken', token); sessionStorage.setItem('gangway.email', email); },
    clear() { sessionStorage.removeItem('gangway.accessToken'); sessionStorage.removeItem('gangway.email'); },
  };
  const say = (text) => { $('status').textContent = text; $('error').textContent = ''; };
  const fail = (text) => { $('error').textContent = text; $('status').textContent = ''; };
  const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(''));
  const waited = (s) => (s < 60 ? s + ' s' : s < 3600 ? Math.floor(s / 60) + ' min' : s < 172800 ? Math.floor(s / 3600) + ' h' : Math.floor(s / 86400) + ' days');

  async function api(method, path, body, headers = {}) {
    const res = await fetch(path, {
      method,
      headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}), ...(session.token ? { authorization: 'Bearer ' + session.token } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await res.json().catch(() => ({}));
    if (res.status === 401 && path !== '/v1/login') { session.clear(); show(); }
    return { status: res.status, data };
  }

  function show() {
    const in_ = !!session.token;
    $('login-section').hidden = in_;
    $('tasks-section').hidden = !in_;
    $('who').hidden = !in_;
    $('who-email').textContent = session.email || '';
    if (in_) load();
  }

  async function load() {
    const { status, data } = await api('GET', '/v1/approvals?status=PENDING');
    if (status !== 200) return fail(data.detail || 'Could not load your tasks (' + status + ')');
    const body = $('tasks').querySelector('tbody');
    body.replaceChildren(...data.items.map(row));
    $('tasks').hidden = data.items.length === 0;
    $('empty').hidden = data.items.length > 0;
  }

  function cell(text) { const td = document.createElement('td'); td.textContent = text; return td; }

  function row(task) {
    const tr = document.createElement('tr');
    const what = task.subscription + ' for ' + task.tenant.name;
    tr.dataset.onboardingId = task.onboardingId;
    tr.dataset.subscription = task.subscription;
    const tenant = cell(task.tenant.name + ' (' + task.tenant.partnerProvidedId + ')');
    const sub = cell(task.subscription + (task.stage === 'TECH_AM' ? ' · technical review' : '') + (task.delegateEmail && task.delegateEmail.toLowerCase() === (session.email || '').toLowerCase() ? ' · delegated to you by ' + task.approverEmail : ''));
    const decide = document.createElement('td');
    const id = 'comment-' + task.onboardingId + '-' + task.subscription;
    const label = document.createElement('label');
    label.htmlFor = id;
    const hidden = document.createElement('span');
    hidden.className = 'sr-only';
    hidden.textContent = ' on ' + what;
    label.append('Comment', hidden);
    const comment = document.createElement('textarea');
    comment.id = id;
    comment.maxLength = 2000;
    const actions = document.createElement('div');
    actions.className = 'actions';
    for (const [decision, text] of [['APPROVE', 'Approve'], ['REJECT', 'Reject']]) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = text;
      button.className = decision === 'REJECT' ? 'reject' : '';
      button.setAttribute('aria-label', text + ' ' + what);
      button.addEventListener('click', () => submit(task, decision, comment.value, actions));
      actions.append(button);
    }
    decide.append(label, comment, actions);
    tr.append(tenant, sub, cell(task.requestedBy), cell(waited(task.waitingSeconds)), decide);
    return tr;
  }

  async function submit(task, decision, comment, actions) {
    for (const b of actions.querySelectorAll('button')) b.disabled = true;
    const body = { subscription: task.subscription, decision, ...(comment.trim() ? { comment: comment.trim() } : {}) };
    const { status, data } = await api('POST', '/v1/onboardings/' + encodeURIComponent(task.onboardingId) + '/approvals', body, { 'idempotency-key': newKey() });
    if (status === 200) say(task.subscription + ' for ' + task.tenant.name + ': ' + (data.status === 'PENDING' ? 'approved; now with the ' + data.stage : data.status.toLowerCase()));
    else fail(data.detail || 'The decision was not recorded (' + status + ')');
    await load();
  }

  $('login').addEventListener('submit', async (event) => {
    event.preventDefault();
    const email = $('email').value;
    const { status, data } = await api('POST', '/v1/login', { email, password: $('password').value });
    $('password').value = '';
    if (status !== 200) return fail('Wrong email or password');
    session.save(data.accessToken, email);
    say('');
    show();
  });
  $('logout').addEventListener('click', () => { session.clear(); say('Logged out'); show(); });
  show();
})();
`;
