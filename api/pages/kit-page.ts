import { escape, layout } from './collect-page';

/**
 * The page a kit mail links to. Opening it consumes nothing (mail scanners fetch links); the secret is
 * revealed only by the Reveal button's POST, once.
 */
export const kitRevealPage = (token: string) =>
  layout(
    'Your integration kit',
    `<h1>Your integration kit</h1>
<p>Press Reveal to show your client credentials. They are shown <strong>once</strong>: store the secret before you leave the page.</p>
<form method="post" action="/v1/kits/${encodeURIComponent(token)}">
  <button type="submit">Reveal</button>
</form>`,
  );

export function kitRevealedPage(kit: Record<string, unknown>): string {
  const rows = Object.entries(kit)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([name, value]) => {
      const text = Array.isArray(value) ? value.join(', ') : String(value);
      return `<dt>${escape(name)}</dt><dd><code>${escape(text)}</code></dd>`;
    })
    .join('\n');
  return layout(
    'Your integration kit',
    `<h1>Your integration kit</h1>
<p role="status">Store these now: this page cannot be shown again.</p>
<dl>
${rows}
</dl>`,
  );
}

export const kitGonePage = () =>
  layout(
    'Link no longer valid',
    '<h1>This link is no longer valid</h1><p>It was already used or has expired. Ask your account manager for a new one.</p>',
  );
