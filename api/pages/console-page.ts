import type { Asset } from './assets';
import { pageShell } from './page-shell';

/**
 * The staff console (script: static/console.js): the onboardings with filters and a chart of their
 * outcomes at /console, and one onboarding's timeline, approvals, clients, kit and actions at
 * /console/onboardings/{id}. One page serves both paths; the script shows the part the path names.
 */
export const consolePage = (assets: ReadonlyMap<string, Asset>) =>
  pageShell(assets, {
    title: 'gangway · staff console',
    heading: 'Onboarding console',
    script: 'console.js',
    nav: '<nav aria-label="Console"><a href="/console">Onboardings</a><a href="/inbox">Approvals inbox</a></nav>',
    body: `
    <div id="list-view" hidden>
      <section aria-labelledby="stats-heading" class="cards">
        <h2 id="stats-heading" class="sr-only">The last 30 days</h2>
        <div class="panel chart">
          <h3 id="chart-heading">Onboardings started per day, by outcome</h3>
          <div id="chart"></div>
          <ul class="legend" id="chart-legend"></ul>
          <details><summary>The numbers as a table</summary><div id="chart-table"></div></details>
        </div>
        <div class="panel">
          <h3>Time to complete</h3>
          <dl id="percentiles"></dl>
        </div>
      </section>
      <section aria-labelledby="list-heading">
        <h2 id="list-heading">Onboardings</h2>
        <form id="filters" class="filters" role="search" aria-label="Filter onboardings">
          <div><label for="filter-status">Status</label>
            <select id="filter-status" name="status"><option value="">Any</option></select></div>
          <div><label for="filter-tenant">Tenant (name or id)</label>
            <input id="filter-tenant" name="q" type="search" maxlength="64"></div>
          <div><button type="submit">Filter</button></div>
        </form>
        <p id="list-empty" hidden>No onboarding matches.</p>
        <table id="onboardings" class="stack">
          <caption class="sr-only">Onboardings, newest first</caption>
          <thead><tr><th scope="col">Tenant</th><th scope="col">Status</th><th scope="col">Step</th><th scope="col">Started</th><th scope="col">Started by</th></tr></thead>
          <tbody></tbody>
        </table>
        <button type="button" id="more" class="secondary" hidden>Load more</button>
      </section>
    </div>
    <div id="detail-view" hidden>
      <p><a href="/console">← All onboardings</a></p>
      <section aria-labelledby="detail-heading">
        <h2 id="detail-heading" tabindex="-1"></h2>
        <dl id="summary"></dl>
      </section>
      <section aria-labelledby="actions-heading" id="actions-section">
        <h3 id="actions-heading">Actions</h3>
        <div id="actions"></div>
      </section>
      <section aria-labelledby="timeline-heading">
        <h3 id="timeline-heading">Steps</h3>
        <table class="stack" id="timeline"><caption class="sr-only">Steps in order</caption>
          <thead><tr><th scope="col">Step</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Finished</th><th scope="col">Took</th><th scope="col">Detail</th></tr></thead>
          <tbody></tbody></table>
      </section>
      <section aria-labelledby="approvals-heading">
        <h3 id="approvals-heading">Approvals</h3>
        <table class="stack" id="approvals"><caption class="sr-only">Approvals by subscription</caption>
          <thead><tr><th scope="col">Subscription</th><th scope="col">Status</th><th scope="col">Approver</th><th scope="col">Decided by</th><th scope="col">Decided</th><th scope="col">Comment</th></tr></thead>
          <tbody></tbody></table>
        <h4>Audit trail</h4>
        <table class="stack" id="audit"><caption class="sr-only">Audit trail, oldest first</caption>
          <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Subscription</th><th scope="col">Why</th></tr></thead>
          <tbody></tbody></table>
      </section>
      <section aria-labelledby="clients-heading">
        <h3 id="clients-heading">Clients</h3>
        <p id="clients-empty" hidden>This onboarding has no clients to connect.</p>
        <table class="stack" id="clients"><caption class="sr-only">Client connectivity</caption>
          <thead><tr><th scope="col">Client</th><th scope="col">Connectivity</th><th scope="col">Attempts</th><th scope="col">Checks</th><th scope="col">Last error</th><th scope="col">Last checked</th></tr></thead>
          <tbody></tbody></table>
      </section>
      <section aria-labelledby="kit-heading">
        <h3 id="kit-heading">Integration kit</h3>
        <dl id="kit"></dl>
      </section>
    </div>
    <dialog id="confirm" aria-labelledby="confirm-heading" aria-describedby="confirm-text">
      <h2 id="confirm-heading"></h2>
      <p id="confirm-text"></p>
      <div class="actions">
        <button type="button" class="danger" id="confirm-yes"></button>
        <button type="button" class="secondary" id="confirm-no">Go back</button>
      </div>
    </dialog>`,
  });
