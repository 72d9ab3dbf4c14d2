// The login both pages share (the inbox and the console): the token pair lives in this tab's
// sessionStorage (gone with the tab, never in localStorage); the access token is refreshed before it
// expires and once more on a 401, so a session lasts until SESSION_MAX_LIFETIME, not 15 minutes.
// Drafts (comments being typed) sit in sessionStorage too and outlive a reload and a lost session.

const KEYS = {
  access: 'gangway.accessToken',
  refresh: 'gangway.refreshToken',
  email: 'gangway.email',
  expires: 'gangway.expiresAt',
};
const DRAFT = 'gangway.draft.';

export const $ = (id) => document.getElementById(id);

/** Builds an element; children are nodes or text (always set as text, never parsed as HTML). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  node.append(...children.filter((c) => c !== undefined && c !== null && c !== false));
  return node;
}

export const newKey = () =>
  crypto.randomUUID
    ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  if (s < 172800) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  return Math.floor(s / 86400) + ' days';
}

export const drafts = {
  get: (key) => sessionStorage.getItem(DRAFT + key) || '',
  set: (key, text) => (text ? sessionStorage.setItem(DRAFT + key, text) : sessionStorage.removeItem(DRAFT + key)),
  remove: (key) => sessionStorage.removeItem(DRAFT + key),
  clearAll() {
    for (const key of Object.keys(sessionStorage)) if (key.startsWith(DRAFT)) sessionStorage.removeItem(key);
  },
};

/** The role the access token names (the server checks it on every call; this only chooses what to show). */
function claims(token) {
  try {
    return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return {};
  }
}

export function createSession({ onChange }) {
  let timer;
  let refreshing;
  const session = {
    get token() {
      return sessionStorage.getItem(KEYS.access);
    },
    get email() {
      return sessionStorage.getItem(KEYS.email);
    },
    get role() {
      return this.token ? claims(this.token).role : undefined;
    },
    save(pair, email) {
      sessionStorage.setItem(KEYS.access, pair.accessToken);
      sessionStorage.setItem(KEYS.refresh, pair.refreshToken);
      sessionStorage.setItem(KEYS.expires, String(Date.now() + pair.expiresIn * 1000));
      if (email) sessionStorage.setItem(KEYS.email, email);
      schedule();
    },
    clear() {
      for (const key of Object.values(KEYS)) sessionStorage.removeItem(key);
      clearTimeout(timer);
    },
  };

  /** Refresh when three quarters of the access token's life are gone (and when the tab wakes up). */
  function schedule() {
    clearTimeout(timer);
    const expires = Number(sessionStorage.getItem(KEYS.expires));
    if (!expires || !session.token) return;
    const issued = expires - Number(claims(session.token).exp - claims(session.token).iat) * 1000;
    const at = issued + (expires - issued) * 0.75;
    timer = setTimeout(() => void refresh(), Math.max(0, at - Date.now()));
  }

  /** One refresh at a time: a refresh token is spent by its first use, and a second use ends the session. */
  function refresh() {
    const token = sessionStorage.getItem(KEYS.refresh);
    if (!token) return Promise.resolve(false);
    refreshing ??= fetch('/v1/token/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: token }),
    })
      .then(async (res) => {
        if (res.ok) {
          session.save(await res.json());
          return true;
        }
        if (res.status === 401) end();
        return false;
      })
      .catch(() => false)
      .finally(() => (refreshing = undefined));
    return refreshing;
  }

  function end() {
    session.clear();
    onChange(false);
  }

  async function call(method, path, body, headers) {
    const res = await fetch(path, {
      method,
      headers: {
        ...headers,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(session.token ? { authorization: 'Bearer ' + session.token } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, data: await res.json().catch(() => ({})) };
  }

  /** A call of our API as the logged-in user; a 401 is answered by one refresh and one retry. */
  async function api(method, path, body, headers = {}) {
    let answer = await call(method, path, body, headers);
    if (answer.status === 401 && session.token) {
      if (await refresh()) answer = await call(method, path, body, headers);
      if (answer.status === 401) end();
    }
    return answer;
  }

  async function login(email, password) {
    const { status, data } = await call('POST', '/v1/login', { email, password });
    if (status !== 200) return status;
    session.save(data, email);
    onChange(true);
    return status;
  }

  async function logout() {
    const refreshToken = sessionStorage.getItem(KEYS.refresh);
    if (refreshToken) await call('POST', '/v1/logout', { refreshToken }).catch(() => undefined);
    drafts.clearAll();
    end();
  }

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') schedule();
  });
  schedule();
  return { session, api, login, logout, refresh };
}

/** Wires the login form and the logout button that both pages carry (api/pages/page-shell.ts). */
export function mountLogin(auth, { say, fail }) {
  $('login').addEventListener('submit', async (event) => {
    event.preventDefault();
    say('');
    const status = await auth.login($('email').value, $('password').value);
    $('password').value = '';
    if (status === 429) fail('Too many attempts: wait a moment and try again');
    else if (status !== 200) fail('Wrong email or password');
  });
  $('logout').addEventListener('click', async () => {
    await auth.logout();
    say('Logged out');
  });
}

/** Shows the login form or the signed-in part of the page. */
export function showSignedIn(auth, signedIn) {
  $('login-section').hidden = signedIn;
  $('app').hidden = !signedIn;
  $('who').hidden = !signedIn;
  $('who-email').textContent = auth.session.email || '';
}

export function messages() {
  return {
    say: (text) => {
      $('status').textContent = text;
      $('error').textContent = '';
    },
    fail: (text) => {
      $('error').textContent = text;
      $('status').textContent = '';
    },
  };
}
