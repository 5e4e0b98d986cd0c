/** Failure types the workflow must not retry: retrying cannot fix them. */
export const FAILURE_TYPES = {
  invalidInput: 'VigilInvalidInput',
  policyDenied: 'VigilPolicyDenied',
  unknownActionner: 'VigilUnknownActionner',
} as const;
