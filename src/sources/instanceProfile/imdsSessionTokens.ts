/**
 * What this process knows about each IMDS endpoint's session tokens. Kept for the whole process, so that a pod
 * behind a hop limit of 1 (the token PUT never gets an answer) pays that timeout once, not at every refresh as the
 * SDK's `fromInstanceMetadata` does.
 */
export type ImdsTokenState =
  | { readonly kind: "token"; readonly token: string; readonly expiresAt: number }
  | { readonly kind: "v2Unavailable"; readonly reason: string };

const statesByEndpoint = new Map<string, ImdsTokenState>();

export const imdsTokenState = (endpoint: string): ImdsTokenState | undefined => statesByEndpoint.get(endpoint);

export const rememberImdsTokenState = (endpoint: string, state: ImdsTokenState): void => {
  statesByEndpoint.set(endpoint, state);
};

export const forgetImdsToken = (endpoint: string): void => {
  if (statesByEndpoint.get(endpoint)?.kind === "token") statesByEndpoint.delete(endpoint);
};

/** For tests: forget everything, as a new process would. */
export const resetImdsTokenStates = (): void => statesByEndpoint.clear();
