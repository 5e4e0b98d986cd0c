import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { fromRoot } from '../../../lib/paths';
import { WORKFLOW_PRELOAD_MODULES } from '../../../workers/coordinator/workflow-setup';

/**
 * The coordinator preloads the contracts into its workflow thread once, shared by every cached
 * incident (workers/coordinator/workflow-setup.ts). That is only safe while a contracts module
 * keeps no state of its own: a `let`, a module-level Map or Set, or a statement run at load time
 * would be shared between incidents and could carry one incident's data into another's replay.
 */

/** Top-level statements of one source file that could hold or change state across importers. */
export function moduleStateProblems(file: string, source: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true);
  const problems: string[] = [];
  const at = (node: ts.Node) => `${file}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  for (const stmt of sf.statements) {
    if (ts.isVariableStatement(stmt)) {
      const flags = stmt.declarationList.flags;
      if (!(flags & ts.NodeFlags.Const)) problems.push(`${at(stmt)}: a module-level let/var`);
      for (const d of stmt.declarationList.declarations) {
        const init = d.initializer;
        // A lookup table typed ReadonlyMap/ReadonlySet is a constant: the compiler refuses a write to it.
        const readonly = d.type !== undefined && /^Readonly(Map|Set)</.test(d.type.getText(sf));
        if (init && ts.isNewExpression(init) && /^(Map|Set|WeakMap|WeakSet|WeakRef)$/.test(init.expression.getText(sf)) && !readonly) {
          problems.push(`${at(d)}: a module-level ${init.expression.getText(sf)} (${d.name.getText(sf)})`);
        }
      }
    } else if (ts.isExpressionStatement(stmt)) {
      problems.push(`${at(stmt)}: a statement run at load time`);
    }
  }
  return problems;
}

describe('modules the workflow thread shares between incidents', () => {
  it('preloads the contracts (and through them zod), nothing that holds workflow state', () => {
    expect(WORKFLOW_PRELOAD_MODULES.map((m) => m.replace(/\\/g, '/'))).toEqual([expect.stringMatching(/\/contracts\/index\.(ts|js)$/)]);
  });

  it('finds the state it looks for', () => {
    expect(moduleStateProblems('x.ts', 'let n = 0;\nexport const seen = new Map<string, number>();\nz.config({});\nexport const A = z.string();\nconst T: ReadonlySet<string> = new Set(["a"]);')).toEqual([
      'x.ts:1: a module-level let/var',
      'x.ts:2: a module-level Map (seen)',
      'x.ts:3: a statement run at load time',
    ]);
  });

  it('no contracts module keeps state of its own', () => {
    const dir = fromRoot('contracts');
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    expect(files.flatMap((f) => moduleStateProblems(f, readFileSync(join(dir, f), 'utf8')))).toEqual([]);
  });
});
