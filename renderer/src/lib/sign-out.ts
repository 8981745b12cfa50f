/**
 * Signing an operator out of this tab: the node is asked to end the session, and the token is forgotten
 * whatever it answers, so that nobody who comes to this screen next finds the tab still signed in. When the
 * node could not be told, the sign-in screen says so: the session then lasts on the node until it expires.
 */
import { toProblem } from './api-error.ts';

/** What to tell the operator on the sign-in screen after signing out; `null`: nothing, it all went well. */
export type SignOutNotice = string | null;

export async function signOut(
  endSession: () => Promise<unknown>,
  forgetToken: () => void,
): Promise<SignOutNotice> {
  let notice: SignOutNotice = null;
  try {
    await endSession();
  } catch (error) {
    const problem = toProblem(error);
    // 401: the session had ended already (expired, or ended elsewhere): signed out all the same.
    if (problem.status !== 401) {
      notice =
        `Signed out of this tab, but the node could not end the session (${problem.message}): ` +
        'it stays valid on the node until it expires or the node restarts.';
    }
  }
  forgetToken();
  return notice;
}
