import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { KubeObject } from './model-validation.mjs';
import { modelLocation } from './model-validation.mjs';

/**
 * The models' runtime validators check types, required fields and formats but accept unknown
 * fields, so a typo such as `readOnlyRootFileSystem` would pass and silently drop a security
 * setting. The models' TypeScript interfaces do know every field: assigning each object as a
 * literal to its interface makes the compiler's excess-property check the strict-mode schema
 * check (what `kubeconform -strict` does).
 */
export function typeCheck(objects: KubeObject[]): Map<number, string[]> {
  const problems = new Map<number, string[]>();
  const header: string[] = [];
  const body: string[] = [];
  const lineOf = new Map<number, number>();
  objects.forEach((obj, i) => {
    const loc = modelLocation(String(obj.apiVersion ?? ''), String(obj.kind ?? ''));
    if (!loc) return;
    let typesUrl: string;
    try {
      typesUrl = import.meta.resolve(loc.typesModule);
    } catch {
      return; // reported by the runtime validation as "no schema known"
    }
    const dts = fileURLToPath(typesUrl).replace(/\.js$/, '.d.ts');
    header.push(`import type { I${loc.className} as T${i} } from ${JSON.stringify(dts.replace(/\.d\.ts$/, '.js'))};`);
    lineOf.set(body.length, i);
    body.push(`export const o${i}: T${i} = ${JSON.stringify(obj)};`);
  });
  if (body.length === 0) return problems;

  const dir = mkdtempSync(join(tmpdir(), 'vigil-typecheck-'));
  try {
    const file = join(dir, 'objects.mts');
    writeFileSync(file, `${header.join('\n')}\n${body.join('\n')}\n`);
    const program = ts.createProgram([file], {
      noEmit: true,
      strict: true,
      skipLibCheck: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      types: [],
    });
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
      if (!d.file || d.start === undefined || d.file.fileName !== file) {
        problems.set(-1, [...(problems.get(-1) ?? []), message]);
        continue;
      }
      const line = d.file.getLineAndCharacterOfPosition(d.start).line - header.length;
      const index = lineOf.get(line) ?? -1;
      problems.set(index, [...(problems.get(index) ?? []), message]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return problems;
}
