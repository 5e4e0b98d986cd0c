import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { RegisteredNotifier } from '../../activities/notification/notifier';
import { NOTIFIERS } from '../../activities/notification/notifiers';
import { BUILTIN_ACTIONNERS } from '../../activities/remediation/registry';
import type { RbacRule } from '../../activities/remediation/actionner';
import { fromRoot } from '../../lib/paths';

/**
 * The chart files derived from the code, so the chart cannot drift from what it deploys: the
 * remediation actionners' RBAC (the only Kubernetes permissions Vigil is granted), the names
 * values.schema.json accepts for `remediation.actionners`, and the shipped analysis prompt.
 * They are committed (a permission change shows up as a reviewable diff of the chart) and
 * checked by test/unit/chart.
 */
export const CHART_DIR = fromRoot('charts', 'vigil');
export const PROMPT_SOURCE = fromRoot('prompts', 'analysis.yaml');

export interface GeneratedFile {
  /** Path relative to the chart. */
  path: string;
  content: string;
}

export interface ActionnerRbacFile {
  generatedBy: string;
  actionners: Record<string, RbacRule[]>;
}

export function actionnerRbacFile(actionners = BUILTIN_ACTIONNERS): GeneratedFile {
  const body: ActionnerRbacFile = {
    generatedBy: 'scripts/chart/gen-chart-files.ts from activities/remediation/registry.ts (do not edit)',
    actionners: Object.fromEntries([...actionners].sort((a, b) => a.name.localeCompare(b.name)).map((a) => [a.name, a.rbac])),
  };
  return { path: 'files/actionner-rbac.json', content: `${JSON.stringify(body, null, 2)}\n` };
}

/**
 * values.schema.json with the names and config schemas that come from the registries: the
 * actionner enum, the notifier enum, and each notifier's config schema (from its zod schema, the
 * one the worker checks at start-up); the rest untouched.
 */
/** A subschema must not restate the dialect; the values schema names it once at its root. */
function withoutDialect({ $schema: _dialect, ...rest }: Record<string, unknown>): Record<string, unknown> {
  return rest;
}

export function valuesSchemaFile(currentSchema: string, actionners = BUILTIN_ACTIONNERS, notifiers: readonly RegisteredNotifier[] = NOTIFIERS): GeneratedFile {
  const schema = JSON.parse(currentSchema) as { $defs?: Record<string, unknown> };
  const defs = schema.$defs;
  if (!defs?.actionnerName || !defs.notifierName) throw new Error('values.schema.json has no $defs.actionnerName or $defs.notifierName to fill');
  defs.actionnerName = { type: 'string', enum: actionners.map((a) => a.name).sort() };
  defs.notifierName = { type: 'string', enum: notifiers.map((n) => n.name).sort() };
  defs.notifierConfig = {
    description: 'What each notifier plugin accepts (read from the worker environment; generated from activities/notification/notifiers).',
    properties: Object.fromEntries(notifiers.map((n) => [n.name, { description: n.description, ...withoutDialect(z.toJSONSchema(n.config, { io: 'input', unrepresentable: 'any' })) }])),
  };
  return { path: 'values.schema.json', content: `${JSON.stringify(schema, null, 2)}\n` };
}

export function promptFile(source = PROMPT_SOURCE): GeneratedFile {
  if (!existsSync(source)) throw new Error(`${source} is missing: the chart ships the repo's analysis prompt`);
  return { path: 'files/prompts/analysis.yaml', content: readFileSync(source, 'utf8') };
}

export function generatedChartFiles(chartDir = CHART_DIR): GeneratedFile[] {
  return [actionnerRbacFile(), valuesSchemaFile(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')), promptFile()];
}

/** Generated files whose committed content differs from what the code says now. */
export function staleChartFiles(chartDir = CHART_DIR): string[] {
  return generatedChartFiles(chartDir)
    .filter((f) => !existsSync(join(chartDir, f.path)) || readFileSync(join(chartDir, f.path), 'utf8') !== f.content)
    .map((f) => f.path);
}
