/** The collector form: small, accessible, and working without JavaScript (a plain form post). */

export const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export const layout = (title: string, body: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escape(title)}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; color: #1a1a1a; }
  label { display: block; margin-top: 1rem; font-weight: 600; }
  input { width: 100%; padding: .5rem; font: inherit; border: 1px solid #767676; border-radius: 4px; box-sizing: border-box; }
  input:focus { outline: 3px solid #1a5fb4; outline-offset: 1px; }
  button { margin-top: 1.5rem; padding: .6rem 1.2rem; font: inherit; background: #1a5fb4; color: #fff; border: 0; border-radius: 4px; }
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;

export function collectFormPage(options: {
  clientName: string;
  portalUrl: string;
  token: string;
  expiresAt: Date;
  /** Framed by a partner: the form posts back with it, so the answer may be framed there too. */
  embedOrigin?: string;
}): string {
  const embed = options.embedOrigin ? `?embedOrigin=${encodeURIComponent(options.embedOrigin)}` : '';
  return layout(
    `Portal credentials for ${options.clientName}`,
    `<h1>Portal credentials for ${escape(options.clientName)}</h1>
<p>Enter the username and password gangway should use to log into <strong>${escape(options.portalUrl)}</strong>.
They are encrypted as soon as they arrive and used only to verify and keep your connection.</p>
<form method="post" action="/v1/collect/${encodeURIComponent(options.token)}${escape(embed)}">
  <label for="username">Username</label>
  <input id="username" name="username" autocomplete="username" required maxlength="256">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
  <button type="submit">Send credentials</button>
</form>
<p><small>This link works once and expires at ${escape(options.expiresAt.toISOString())}.</small></p>`,
  );
}

/** `outcome`: markup that tells a framing partner what happened (api/pages/collector-embed.ts), if framed. */
export const collectThanksPage = (outcome = '') =>
  layout(
    'Thank you',
    `<h1>Thank you</h1><p role="status">We received your credentials and are checking them with your portal now. You can close this page.</p>${outcome}`,
  );

export const collectGonePage = (outcome = '') =>
  layout(
    'Link no longer valid',
    `<h1>This link is no longer valid</h1><p>It was already used or has expired. If we need your credentials again, we will send you a fresh link.</p>${outcome}`,
  );

export const collectNotEmbeddablePage = (origin: string) =>
  layout(
    'Not shown here',
    `<h1>This form cannot be shown inside ${escape(origin)}</h1><p>Open the link from your email instead.</p>`,
  );
