export { A2A_ROLES, AgentMessageEnvelopeSchema, agentMessage, bodyOf } from './a2a';
export type { A2ARole, AgentMessage } from './a2a';
export {
  ACTION_STATUSES,
  ActionResultSchema,
  ActionTargetSchema,
  ArtifactSchema,
  BLAST_SCOPES,
  BlastRadiusSchema,
  ObjectRefSchema,
  PreflightRecordSchema,
  ProposedActionSchema,
  REVERT_OUTCOMES,
  RevertResultSchema,
  WriteRecordSchema,
} from './action';
export type { ActionResult, ActionStatus, ActionTarget, Artifact, BlastRadius, ObjectRef, PreflightRecord, ProposedAction, RevertOutcome, RevertResult, WriteRecord } from './action';
export { AnalysisSchema, TechniqueSchema } from './analysis';
export type { Analysis, Technique } from './analysis';
export { AnomalySchema } from './anomaly';
export type { Anomaly } from './anomaly';
export { AssetSchema, assetLabel, assetOf } from './asset';
export type { Asset } from './asset';
export { AnalystDecisionSchema, DecisionRecordSchema } from './decision';
export type { AnalystDecision, AnalystDecisionInput, DecisionRecord } from './decision';
export { ALERT_LIMITS, FALCO_PRIORITIES, FalcoAlertSchema } from './falco';
export type { FalcoAlert, FalcoFieldValue, FalcoPriority } from './falco';
export {
  alertNameProblems,
  dns1123LabelProblem,
  dns1123SubdomainProblem,
  HostnameSchema,
  NamespaceNameSchema,
  ObjectNameSchema,
  PathSegmentNameSchema,
} from './k8s-names';
export {
  CONTAINMENT_STATES,
  ContainmentRequestSchema,
  ContainmentSchema,
  IncidentFailureSchema,
  INCIDENT_STATUSES,
  SETTLED_STATUSES,
  IncidentOutcomeSchema,
  IncidentStateSchema,
  QuorumSchema,
  quorumProgress,
  RESOLUTIONS,
  TimelineEntrySchema,
} from './incident';
export type { Containment, ContainmentRequest, ContainmentRequestInput, IncidentFailure, IncidentOutcome, IncidentState, IncidentStatus, Quorum, Resolution, TimelineEntry } from './incident';
export { AGENT_NAMES, AGENTS, COMPONENT_NAMES, COORDINATOR, TASK_QUEUES, WORKER_NAMES } from './agents';
export type { AgentName, SkillId, SkillRef, WorkerName } from './agents';
export { FAILURE_TYPES } from './failures';
export { formatIssues, issueLines } from './issues';
export type { IssueFormat, IssueList } from './issues';
export { SA, SEARCH_ATTRIBUTE_REGISTRATIONS, TRUST_LABELS } from './search-attributes';
export { SEVERITIES, severityFromPriority } from './severity';
export type { Severity } from './severity';
export { EscalationSchema, EvidenceSchema, FLAG_DISPOSITIONS, FlaggedActionSchema, MutationSchema, ReasonSchema, VERDICT_OUTCOMES, VerdictSchema } from './verdict';
export type { Escalation, Evidence, FlagDisposition, FlaggedAction, Mutation, Reason, Verdict, VerdictOutcome } from './verdict';
export { ChainSummary, joinedAlertFacts, joinedAlertId, JoinedAlertSchema, joinedAlertOf, priorityRank, techniquesOf, TOUCHES, touchesOf } from './joined-alert';
export type { JoinedAlert, Touch } from './joined-alert';
export { workloadKey, workloadOf } from './workload';
export type { Workload } from './workload';
