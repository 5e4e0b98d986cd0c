import type { AccessAttributes, AccessReview, KubeApi } from './kube/api';
import { KubeApiError } from './kube/api';

/**
 * Why an API error stopped an action, as a stable code, and whether a retry could help.
 *
 * The 403 is the hard case. A real RBAC denial must page at once: the Role does not grant what the
 * policy asked for, and waiting will not change that. But a kube-apiserver that has just started
 * again answers 403 for a moment too, because its RBAC authorizer's caches are still empty
 * (docs/RELIABILITY.md, kube-api-down). From the 403 alone the two cannot be told apart, so the
 * runner asks the API server, as the same identity, a SelfSubjectAccessReview for exactly the
 * refused verb, resource, namespace and name: allowed means the refusal was the cold cache
 * (`api_authorizer_cold`, retried within the activity's attempts like an unreachable server);
 * denied, or a review that is itself still refused after a few seconds, is the real denial
 * (`forbidden`, final).
 */

/** Failure codes that say the API server could not serve the request just now: worth a retry. */
export const TRANSIENT_FAILURE_CODES: ReadonlySet<string> = new Set(['api_unreachable', 'api_unavailable', 'api_authorizer_cold']);

/** The code of an error as the API server (or the network) gave it, with no further question asked. */
export function failureCode(err: unknown): string {
  if (!(err instanceof KubeApiError)) return 'api_unreachable';
  if (err.status >= 500 || err.status === 429) return 'api_unavailable';
  if (err.status === 403) return 'forbidden';
  if (err.status === 404) return 'not_found';
  if (err.status === 409) return 'conflict';
  if (err.status === 422) return 'invalid';
  return 'api_error';
}

/**
 * Pauses before asking a refused review again. Every authenticated user may create a
 * SelfSubjectAccessReview, so a 403 to the review itself means the authorizer is not yet serving
 * even the bootstrap policy: on this machine a restarted kube-apiserver refused the write and the
 * review alike for ~0.1-0.2 s, then allowed both. A review still refused after these (3.25 s in
 * all) stands as the denial. A real RBAC denial never waits here: its review is answered, denied.
 */
export const REVIEW_PAUSES_MS: readonly number[] = [250, 1_000, 2_000];

async function askReview(kube: Pick<KubeApi, 'reviewAccess'>, access: AccessAttributes, pausesMs: readonly number[]): Promise<AccessReview> {
  for (let i = 0; ; i++) {
    try {
      return await kube.reviewAccess(access);
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 403) || i >= pausesMs.length) throw err;
      await new Promise((r) => setTimeout(r, pausesMs[i]));
    }
  }
}

export interface Failure {
  code: string;
  message: string;
}

export function describeAccess(a: AccessAttributes): string {
  const resource = `${a.resource}${a.subresource ? `/${a.subresource}` : ''}${a.group ? `.${a.group}` : ''}`;
  return `${a.verb} ${resource}${a.namespace ? ` in ${a.namespace}` : ''}${a.name ? ` (${a.name})` : ''}`;
}

/**
 * The error's code, with a 403 from the authorizer checked against a SelfSubjectAccessReview.
 * Any other 403 (an admission plugin's, or one whose message is not the authorizer's form) stays
 * `forbidden`: a review could not explain it.
 */
export async function classifyFailure(err: unknown, kube: Pick<KubeApi, 'reviewAccess'>, opts: { reviewPausesMs?: readonly number[] } = {}): Promise<Failure> {
  const message = err instanceof Error ? err.message : String(err);
  const code = failureCode(err);
  if (code !== 'forbidden' || !(err instanceof KubeApiError) || !err.access) return { code, message };
  const asked = describeAccess(err.access);
  const access = err.access;
  try {
    const review = await askReview(kube, access, opts.reviewPausesMs ?? REVIEW_PAUSES_MS);
    if (review.allowed) return { code: 'api_authorizer_cold', message: `${message}; a SelfSubjectAccessReview for ${asked} says allowed: the authorizer was not ready (cold caches after an API server restart)` };
    return { code: 'forbidden', message: `${message}; a SelfSubjectAccessReview for ${asked} confirms the denial${review.reason ? ` (${review.reason})` : ''}` };
  } catch (reviewErr) {
    const reviewCode = failureCode(reviewErr);
    const detail = reviewErr instanceof Error ? reviewErr.message : String(reviewErr);
    // The server went away between the write and the review: as unreachable as the write's next try would find it.
    if (reviewCode === 'api_unreachable' || reviewCode === 'api_unavailable') return { code: reviewCode, message: `${message}; the access review could not be asked: ${detail}` };
    // Refused too (or any other answer): nothing shows the identity may do this, so the denial stands.
    return { code: 'forbidden', message: `${message}; the access review for ${asked} failed too (${detail})` };
  }
}
