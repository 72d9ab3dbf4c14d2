'use strict';
/**
 * Reaches the Temporal SDK's workflow-thread hooks from a preload, for two measurements of the
 * workflow code's cost (docs/performance.md, "tenth round"). Bench only: it patches an SDK internal
 * (lib/workflow/vm-shared's GlobalHandlers), which the SDK offers no option for.
 */
const Module = require('node:module');

/** Calls `patch(GlobalHandlers)` once, when the SDK loads vm-shared in this thread. */
function onGlobalHandlers(patch) {
  const load = Module.prototype.require;
  let done = false;
  Module.prototype.require = function require(id) {
    const loaded = load.apply(this, arguments);
    if (!done && typeof id === 'string' && id.endsWith('/vm-shared') && loaded.GlobalHandlers) {
      done = true;
      patch(loaded.GlobalHandlers);
    }
    return loaded;
  };
}

/** A global of the context the promise was made in, as vm-shared reads one: through that context's Function. */
const globalOf = (promise, name) => promise.constructor.constructor(`return globalThis.${name}`)();

/** The workflow's own Activator (vm-shared's getActivator): undefined for a promise made outside a workflow. */
const activatorOf = (promise) => globalOf(promise, '__TEMPORAL_ACTIVATOR__');

module.exports = { onGlobalHandlers, globalOf, activatorOf };
