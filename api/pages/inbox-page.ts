import type { Asset } from './assets';
import { pageShell } from './page-shell';

/**
 * The approver inbox (script: static/inbox.js): the tasks waiting on me and the ones I decided, as two
 * tabs; the reject confirmation is a modal dialog, so focus stays inside it until it is answered.
 */
export const inboxPage = (assets: ReadonlyMap<string, Asset>) =>
  pageShell(assets, {
    title: 'gangway · approvals inbox',
    heading: 'Approvals inbox',
    script: 'inbox.js',
    body: `
    <div role="tablist" aria-label="Approval tasks" class="tabs">
      <button type="button" role="tab" id="tab-waiting" data-tab="waiting" aria-controls="panel-waiting" aria-selected="true">Waiting for me (<span id="waiting-count">0</span>)</button>
      <button type="button" role="tab" id="tab-decided" data-tab="decided" aria-controls="panel-decided" aria-selected="false" tabindex="-1">Decided by me</button>
    </div>
    <section role="tabpanel" id="panel-waiting" aria-labelledby="tab-waiting">
      <h2 class="sr-only">Waiting for your decision, longest waiting first</h2>
      <p id="waiting-empty" tabindex="-1" hidden>Nothing waits for you.</p>
      <div id="waiting-list" class="tasks"></div>
    </section>
    <section role="tabpanel" id="panel-decided" aria-labelledby="tab-decided" hidden>
      <h2 class="sr-only">Decided by you, latest first</h2>
      <p id="decided-empty" hidden>You have decided nothing yet.</p>
      <div id="decided-list" class="tasks"></div>
    </section>
    <dialog id="confirm-reject" aria-labelledby="confirm-heading" aria-describedby="confirm-text">
      <h2 id="confirm-heading">Reject this subscription?</h2>
      <p id="confirm-text"></p>
      <p id="confirm-comment"></p>
      <div class="actions">
        <button type="button" class="reject" id="confirm-yes">Yes, reject</button>
        <button type="button" class="secondary" id="confirm-no">Keep it pending</button>
      </div>
    </dialog>`,
  });
