import { readFileSync } from 'node:fs';
import type { FalcoAlert } from '../contracts';
import { FalcoAlertSchema } from '../contracts';

export interface ParsedLine {
  line: number;
  alert?: FalcoAlert;
  error?: string;
}

/** Reads a JSONL file of Falco alerts; a bad line is reported with its number, never dropped silently. */
export function readAlertFile(path: string): ParsedLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((text, i) => ({ text: text.trim(), line: i + 1 }))
    .filter(({ text }) => text.length > 0)
    .map(({ text, line }) => {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        return { line, error: `not JSON: ${(err as Error).message}` };
      }
      const parsed = FalcoAlertSchema.safeParse(json);
      if (!parsed.success) return { line, error: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
      return { line, alert: parsed.data };
    });
}
