import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import { SEARCH_ATTRIBUTE_NAMES, type OnboardingSearchAttributes } from '../domain';

/** The onboarding's search attributes (docs/contract.md), for the workflow's upserts and the API's start. */
export const SEARCH_ATTRIBUTE_KEYS = {
  OnboardingStatus: defineSearchAttributeKey('OnboardingStatus', SearchAttributeType.KEYWORD),
  PartnerProvidedId: defineSearchAttributeKey('PartnerProvidedId', SearchAttributeType.KEYWORD),
  CurrentStep: defineSearchAttributeKey('CurrentStep', SearchAttributeType.KEYWORD),
} satisfies Record<keyof OnboardingSearchAttributes, unknown>;

export function searchAttributePairs(attributes: OnboardingSearchAttributes): SearchAttributePair[] {
  return SEARCH_ATTRIBUTE_NAMES.map((name) => ({ key: SEARCH_ATTRIBUTE_KEYS[name], value: attributes[name] }));
}
