import type { Asset } from './assets';

/**
 * The frame both signed-in pages share: a header with who is logged in, the login form, live regions
 * for what happened, and the page's own markup. Scripts are modules from /ui with their SRI hash;
 * nothing inline, so the page's CSP forbids every inline script and style.
 */
export function pageShell(
  assets: ReadonlyMap<string, Asset>,
  page: { title: string; heading: string; script: string; body: string; nav?: string },
): string {
  const asset = (name: string) => {
    const found = assets.get(name);
    if (!found) throw new Error(`no asset ${name} in api/pages/static`);
    return `/ui/${name}" integrity="${found.integrity}`;
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${page.title}</title>
<link rel="stylesheet" href="${asset('ui.css')}">
<script type="module" src="${asset(page.script)}"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <h1>${page.heading}</h1>
  ${page.nav ?? ''}
  <p id="who" hidden><span id="who-email"></span> · <button type="button" class="quiet" id="logout">Log out</button></p>
</header>
<main id="main" tabindex="-1">
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
  <div id="app" hidden>
${page.body}
  </div>
</main>
</body>
</html>`;
}
