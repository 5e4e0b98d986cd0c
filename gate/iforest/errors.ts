/**
 * Every failure this module raises on purpose carries a stable `code`, so callers (the gate's
 * startup, the CLI) can branch on the reason without parsing messages, and the message says
 * what to do about it.
 */
export const IForestErrorCode = {
  /** Training rows are empty, ragged or hold non-finite values. */
  InvalidTrainingData: 'IFOREST_INVALID_TRAINING_DATA',
  /** An option is outside its documented range. */
  InvalidOption: 'IFOREST_INVALID_OPTION',
  /** A row handed to the scorer has the wrong width or holds NaN. */
  InvalidInput: 'IFOREST_INVALID_INPUT',
  /** The model file cannot be read or parsed. */
  ModelUnreadable: 'IFOREST_MODEL_UNREADABLE',
  /** The file parses but is not a Vigil model, or is a version this build does not know. */
  ModelFormat: 'IFOREST_MODEL_FORMAT',
  /** The file's content contradicts itself (sizes, ranges, checksum): corrupt or hand-edited. */
  ModelCorrupt: 'IFOREST_MODEL_CORRUPT',
  /** A sound model that does not fit what the caller expects (feature count or names). */
  ModelMismatch: 'IFOREST_MODEL_MISMATCH',
  /** A forest whose trees are too deep for the flat complete-tree layout. */
  TooDeep: 'IFOREST_TOO_DEEP',
} as const;
export type IForestErrorCode = (typeof IForestErrorCode)[keyof typeof IForestErrorCode];

export class IForestError extends Error {
  override readonly name = 'IForestError';
  constructor(
    readonly code: IForestErrorCode,
    message: string,
  ) {
    super(message);
  }
}
