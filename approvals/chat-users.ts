import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { formatIssues } from '../contracts';
import type { Logger } from '../lib/logger';

export const CHAT_PLATFORMS = ['mattermost', 'slack'] as const;
export type ChatPlatform = (typeof CHAT_PLATFORMS)[number];

/**
 * Policy data decides who a chat user is: `vigil.config.chat_users.<platform>.<user id>` names the
 * analyst (whose roles and teams the review policy then checks). Keyed by the platform's immutable
 * user id, never by the display name, which users can change.
 */
const ChatUsersDataSchema = z.object({
  vigil: z.object({
    config: z.object({
      chat_users: z.object(Object.fromEntries(CHAT_PLATFORMS.map((p) => [p, z.record(z.string().min(1), z.string().min(1)).default({})])) as Record<ChatPlatform, z.ZodDefault<z.ZodRecord<z.ZodString, z.ZodString>>>).default({ mattermost: {}, slack: {} }),
    }).loose(),
  }).loose(),
});

export interface ChatUsers {
  analystFor(platform: ChatPlatform, userId: string): string | null;
}

export function chatUsersFrom(data: unknown, source: string): ChatUsers {
  const parsed = ChatUsersDataSchema.safeParse(data);
  if (!parsed.success) throw new Error(`${source}: vigil.config.chat_users is not usable: ${formatIssues(parsed.error)}`);
  const maps = parsed.data.vigil.config.chat_users;
  return { analystFor: (platform, userId) => (Object.hasOwn(maps[platform], userId) ? (maps[platform][userId] ?? null) : null) };
}

/** Reads `<policyDir>/data.json` and polls it, keeping the last good mapping when a new one does not parse. */
export class ChatUsersFile implements ChatUsers {
  private current: ChatUsers;
  private readonly path: string;

  constructor(policyDir: string, private readonly log: Logger) {
    this.path = join(policyDir, 'data.json');
    this.current = this.read();
  }

  analystFor(platform: ChatPlatform, userId: string): string | null {
    return this.current.analystFor(platform, userId);
  }

  watch(intervalMs = 5000): () => void {
    watchFile(this.path, { interval: intervalMs }, () => {
      try {
        this.current = this.read();
        this.log.info({ path: this.path }, 'chat user mapping reloaded');
      } catch (err) {
        this.log.error({ err }, 'chat user mapping not reloaded; keeping the previous one');
      }
    }).unref();
    return () => unwatchFile(this.path);
  }

  private read(): ChatUsers {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (err) {
      throw new Error(`cannot read the policy data ${this.path}: ${(err as Error).message}`);
    }
    return chatUsersFrom(raw, this.path);
  }
}
