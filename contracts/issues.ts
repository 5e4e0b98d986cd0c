/** The part of a zod error Vigil reports; structural, so workflow code can use it without zod's classes. */
export interface IssueList {
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>;
}

export interface IssueFormat {
  /** What to call a problem with the value itself (no path). */
  root?: string;
  /** Report at most this many problems (an LLM reply can have hundreds). */
  limit?: number;
}

/** One entry per problem, `field.path: message`. */
export function issueLines(err: IssueList, { root = '(root)', limit }: IssueFormat = {}): string[] {
  return err.issues.slice(0, limit).map((i) => `${i.path.map(String).join('.') || root}: ${i.message}`);
}

/** The problems on one line, for refusals, dead letters and start-up errors. */
export function formatIssues(err: IssueList, format: IssueFormat = {}): string {
  return issueLines(err, format).join('; ');
}
