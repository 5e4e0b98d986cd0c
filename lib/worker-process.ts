import type { WorkerOptions } from '@temporalio/worker';
import type { AgentName } from '../contracts';
import { AGENTS } from '../contracts';
import type { AnySkill } from './a2a/card';
import type { Logger } from './logger';
import type { TemporalConfig } from './temporal-config';

/** An agent's identity as an A2A server and the capabilities its deployment grants it. */
export interface AgentFace {
  name: AgentName;
  description: string;
  skills: AnySkill[];
  /** Tools beyond its skills (actionners, notifier, LLM endpoint): the denominator of least agency. */
  tools: string[];
}

export interface WorkerSetup {
  worker: Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue'>;
  /** Present for agent workers: served over A2A too, and counted for least agency. */
  agent?: AgentFace;
}

/** One worker process: what `workers/<name>.ts` hands to run-worker; agents assemble theirs in `activities/<agent>/worker.ts`. */
export interface WorkerProcess {
  name: string;
  taskQueue: string;
  /** Builds the worker's activities (or workflow bundle) once config is parsed. */
  setup(log: Logger, env: NodeJS.ProcessEnv, temporal: TemporalConfig): Promise<WorkerSetup>;
}

/** An agent's face as the agent table describes it, with the skills and tools this process was given. */
export function agentFace(name: AgentName, skills: AnySkill[], tools: string[]): AgentFace {
  return { name, description: AGENTS[name].description, skills, tools };
}
