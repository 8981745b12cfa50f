/** The outcome of an operator action, shown until the next one (a leaf the state modules share). */
import type { Status } from '../../../node-core/dto.ts';
import type { ApiProblem } from './api-client.ts';

export type ActionNotice =
  | {
      readonly tone: 'success';
      readonly message: string;
      /** The message claims this status of the node: it is not shown once the status says otherwise. */
      readonly whileStatus?: Status;
    }
  | { readonly tone: 'error'; readonly message: string; readonly problem: ApiProblem };
