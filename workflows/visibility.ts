import { patched, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { onboardingDetails, searchAttributesOf, SEARCH_ATTRIBUTE_NAMES } from '../domain';
import { PATCHES } from './patches';
import { SEARCH_ATTRIBUTE_KEYS, searchAttributePairs } from './search-attributes';
import type { OnboardingState } from './state';

/**
 * Keeps what Temporal's list and workflow page show in step with the onboarding: its search
 * attributes, upserted when one of them changes (each upsert is a command in the history, hence the
 * patch), and its current details, which are no command and follow every change. The upsert waits
 * for the end of the synchronous change (a microtask, deterministic on replay like the rest).
 */
export function showInTemporal(state: OnboardingState): void {
  const upsert = patched(PATCHES.searchAttributes);
  // The API's start sets the first values (api/use-cases/start-onboarding.ts): they need no upsert.
  const started = workflowInfo().typedSearchAttributes;
  let shown = JSON.stringify(
    Object.fromEntries(SEARCH_ATTRIBUTE_NAMES.map((name) => [name, started.get(SEARCH_ATTRIBUTE_KEYS[name])])),
  );
  // Changes made together (a step done, the next one running) are shown together: one upsert after them.
  let flushing = false;
  const flush = () => {
    flushing = false;
    const attributes = searchAttributesOf(state.view);
    const key = JSON.stringify(attributes);
    if (key === shown) return;
    shown = key;
    upsertSearchAttributes(searchAttributePairs(attributes));
  };
  state.watch((view) => {
    setCurrentDetails(onboardingDetails(view));
    if (!upsert || flushing) return;
    flushing = true;
    void Promise.resolve().then(flush);
  });
}
