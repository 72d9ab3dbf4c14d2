import { patched, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { onboardingDetails, searchAttributesOf, SEARCH_ATTRIBUTE_NAMES } from '../domain';
import { PATCHES } from './patches';
import { SEARCH_ATTRIBUTE_KEYS, searchAttributePairs } from './search-attributes';
import type { OnboardingState } from './state';

/**
 * Keeps what Temporal's list and workflow page show in step with the onboarding: its search
 * attributes, upserted when one of them changes (each upsert is a command in the history and a
 * visibility write on the server, hence the patches), and its current details, which are no command
 * and follow every change.
 *
 * Returns what the projector calls each time the read model has caught up (workflows/projector.ts).
 * `newerPatch` is a patch checked before this one that implies `search-attributes-per-task`.
 * Runs started with `search-attributes-per-task` upsert there, at most once per workflow task: the
 * catch-up follows a local activity, whose result comes in an activation of its own while the workflow
 * task is held open, so a task's last catch-up sees where the task ended; or (`progress-with-steps`)
 * once the activation in which a step's activity ended, having carried the write, has run. A
 * `condition()` would not do: the SDK evaluates conditions after each job of an activation and after
 * each round of microtasks, so a waiter woken with the flush could still change the view after it.
 * Older runs upsert after each synchronous burst of changes (a microtask, deterministic on replay like
 * the rest).
 */
export function showInTemporal(state: OnboardingState, newerPatch = false): () => void {
  // A newer patch implies the older ones, so a new run records one marker (and Temporal's own upsert
  // of TemporalChangeVersion that each first use of a patch brings), not one per patch.
  const perTask = newerPatch || patched(PATCHES.searchAttributesPerTask);
  const upsert = perTask || patched(PATCHES.searchAttributes);
  // The API's start sets the first values (api/use-cases/start-onboarding.ts): they need no upsert.
  const started = workflowInfo().typedSearchAttributes;
  let shown = JSON.stringify(
    Object.fromEntries(SEARCH_ATTRIBUTE_NAMES.map((name) => [name, started.get(SEARCH_ATTRIBUTE_KEYS[name])])),
  );
  const show = () => {
    const attributes = searchAttributesOf(state.view);
    const key = JSON.stringify(attributes);
    if (key === shown) return;
    shown = key;
    upsertSearchAttributes(searchAttributePairs(attributes));
  };
  // Changes made together (a step done, the next one running) are shown together: one upsert after them.
  let flushing = false;
  state.watch((view) => {
    setCurrentDetails(onboardingDetails(view));
    if (!upsert || perTask || flushing) return;
    flushing = true;
    void Promise.resolve().then(() => {
      flushing = false;
      show();
    });
  });
  return perTask ? show : () => undefined;
}
