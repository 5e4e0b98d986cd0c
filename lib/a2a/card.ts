import { AgentCard } from '@a2a-js/sdk';
import { z } from 'zod';
import type { AgentSkill } from '../agent-core';

/** The card extension that carries each skill's input/output JSON Schemas (A2A skills have no schema field). */
export const SKILL_SCHEMAS_EXTENSION = 'https://vigil.dev/a2a/extensions/skill-schemas/v1';
export const JSONRPC_PATH = '/a2a/jsonrpc';
export const A2A_PROTOCOL_VERSION = '1.0';

/** Any skill, whatever its types: the card and the executor only need its schemas and name. */
export type AnySkill = AgentSkill<any, any>;

/** JSON Schema of what a caller sends (`input`) or gets back (`output`); transforms are described by their input side. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
}

export interface CardOptions {
  agent: string;
  description: string;
  version: string;
  /** Where callers reach this agent, e.g. https://vigil-analysis.vigil.svc:8443 */
  baseUrl: string;
  skills: readonly AnySkill[];
  mutualTls: boolean;
}

/** The agent's A2A v1.0 card: its JSON-RPC interface, its skills, and mTLS when it requires it. */
export function buildAgentCard(o: CardOptions): AgentCard {
  const schemas = Object.fromEntries(
    o.skills.map((s) => [s.skill, { input: jsonSchemaOf(s.input, 'input'), ...(s.output ? { output: jsonSchemaOf(s.output, 'output') } : {}) }]),
  );
  return AgentCard.fromJSON({
    name: `vigil-${o.agent}`,
    description: o.description,
    version: o.version,
    provider: { organization: 'Vigil', url: 'https://vigil.dev' },
    supportedInterfaces: [{ url: `${o.baseUrl.replace(/\/$/, '')}${JSONRPC_PATH}`, protocolBinding: 'JSONRPC', protocolVersion: A2A_PROTOCOL_VERSION }],
    capabilities: {
      streaming: false,
      pushNotifications: false,
      extendedAgentCard: false,
      extensions: [
        {
          uri: SKILL_SCHEMAS_EXTENSION,
          description: 'JSON Schemas of each skill: send one data part matching `input`; the reply has one data part matching `output`.',
          required: false,
          params: { skills: schemas },
        },
      ],
    },
    defaultInputModes: ['application/json'],
    defaultOutputModes: ['application/json'],
    skills: o.skills.map((s) => ({
      id: s.skill,
      name: s.skill,
      description: s.description,
      tags: ['vigil', s.agent],
      examples: [],
      inputModes: ['application/json'],
      outputModes: ['application/json'],
    })),
    ...(o.mutualTls
      ? {
          securitySchemes: { mtls: { mtlsSecurityScheme: { description: 'Mutual TLS: a client certificate from the cluster CA whose identity (CN or SAN) is on this agent\'s allow-list.' } } },
          securityRequirements: [{ schemes: { mtls: { list: [] } } }],
        }
      : {}),
  });
}
