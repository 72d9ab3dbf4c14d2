import { escape, layout } from './collect-page';

/** The integration user's password is chosen here by the customer, never by staff. */
export function setPasswordFormPage(options: { username: string; token: string; expiresAt: Date }): string {
  return layout(
    `Set the password of ${options.username}`,
    `<h1>Set the password of ${escape(options.username)}</h1>
<p>Choose the password your systems will use with <code>grant_type=password</code>. Nobody at our side ever sees it.</p>
<form method="post" action="/v1/set-password/${encodeURIComponent(options.token)}">
  <input type="hidden" name="username" autocomplete="username" value="${escape(options.username)}">
  <label for="password">New password (at least 12 characters)</label>
  <input id="password" name="password" type="password" autocomplete="new-password" required minlength="12" maxlength="1024">
  <button type="submit">Set password</button>
</form>
<p><small>This link works once and expires at ${escape(options.expiresAt.toISOString())}.</small></p>`,
  );
}

export const passwordSetPage = () =>
  layout(
    'Password set',
    '<h1>Password set</h1><p role="status">Your integration user can now obtain tokens. You can close this page.</p>',
  );

export const setPasswordGonePage = () =>
  layout(
    'Link no longer valid',
    '<h1>This link is no longer valid</h1><p>It was already used or has expired. Ask your account manager for a new one.</p>',
  );
