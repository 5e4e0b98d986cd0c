import { proxyActivities, uuid4 } from '@temporalio/workflow';
import type { AnalysisActivities } from '../../activities/analysis';
import type { Delivery, Notice, NotificationActivities } from '../../activities/notification';
import type { ContainmentTerms, RemediationActivities } from '../../activities/remediation';
import type { AuthorizeInput, AuthorizeResult, ReviewActivities, ReviewInput } from '../../activities/review';
import type { ActionResult, AgentMessage, Analysis, Anomaly, Asset, ProposedAction, RevertResult, Severity, SkillRef, Verdict } from '../../contracts';
import { A2A_ROLES, agentMessage, AGENTS, COORDINATOR } from '../../contracts';
import type { IncidentObserver } from './observer';
import { AGENT_OPTIONS } from './options';

const analysis = proxyActivities<AnalysisActivities>(AGENT_OPTIONS.analysis);
const review = proxyActivities<ReviewActivities>(AGENT_OPTIONS.review);
const remediation = proxyActivities<RemediationActivities>(AGENT_OPTIONS.remediation);
const notification = proxyActivities<NotificationActivities>(AGENT_OPTIONS.notification);
const { analyse } = AGENTS.analysis.skills;
const { review: reviewSkill, authorizeDecision } = AGENTS.review.skills;
const { remediate, revert, containmentTerms } = AGENTS.remediation.skills;
const { notify } = AGENTS.notification.skills;

/**
 * The coordinator's side of the conversation: each call is an A2A-shaped message to one agent's
 * activity on its own task queue (ids from the workflow's deterministic uuid4), and the observer
 * sees every exchange.
 */
export class AgentCalls {
  constructor(
    private readonly incidentId: string,
    private readonly traceId: string,
    private readonly observer: IncidentObserver,
  ) {}

  private ask<T>(skill: SkillRef, data: T): AgentMessage<T> {
    return agentMessage({ messageId: uuid4(), contextId: this.incidentId, role: A2A_ROLES.user, traceId: this.traceId, skill: skill.skill, from: COORDINATOR.name, data });
  }

  /** `deterministic`: the analysis agent's rule analyser only (the fallback when the full analysis failed). */
  async analyse(anomaly: Anomaly, summary: string, deterministic = false): Promise<Analysis> {
    const request = this.ask(analyse, deterministic ? { anomaly, deterministic } : { anomaly });
    const options = deterministic ? AGENT_OPTIONS.analysisFallback : AGENT_OPTIONS.analysis;
    const reply = await analysis[analyse.activity].executeWithOptions({ ...options, summary }, [request]);
    this.observer.analysed(request, reply);
    return reply.parts[0].data;
  }

  async review(input: ReviewInput, summary: string): Promise<Verdict> {
    const request = this.ask(reviewSkill, input);
    const reply = await review[reviewSkill.activity].executeWithOptions({ ...AGENT_OPTIONS.review, summary }, [request]);
    this.observer.reviewed(request, reply);
    return reply.parts[0].data;
  }

  async authorize(input: AuthorizeInput, summary: string): Promise<AuthorizeResult> {
    const request = this.ask(authorizeDecision, input);
    const reply = await review[authorizeDecision.activity].executeWithOptions({ ...AGENT_OPTIONS.review, summary }, [request]);
    this.observer.authorized(request, reply);
    return reply.parts[0].data;
  }

  /**
   * The signed verdict and the incident's asset travel with the actions (remediation runs nothing they do not
   * mandate); the asset is also the alert's own facts that pre-flight checks the live pod against.
   */
  async remediate(actions: ProposedAction[], verdict: Verdict, asset: Asset, summary: string): Promise<ActionResult[]> {
    const request = this.ask(remediate, { actions, verdict, asset, subject: asset });
    const reply = await remediation[remediate.activity].executeWithOptions({ ...AGENT_OPTIONS.remediation, summary }, [request]);
    this.observer.remediated(request, reply, verdict);
    return reply.parts[0].data;
  }

  async revert(results: ActionResult[], trigger: 'analyst' | 'ttl', by: string, summary: string): Promise<RevertResult[]> {
    const reply = await remediation[revert.activity].executeWithOptions({ ...AGENT_OPTIONS.remediation, summary }, [this.ask(revert, { results, trigger, by })]);
    return reply.parts[0].data;
  }

  async containmentTerms(severity: Severity, summary: string): Promise<ContainmentTerms> {
    const reply = await remediation[containmentTerms.activity].executeWithOptions({ ...AGENT_OPTIONS.remediation, summary }, [this.ask(containmentTerms, { severity })]);
    return reply.parts[0].data;
  }

  async notify(notice: Notice, verdict: Verdict | null, summary: string): Promise<Delivery> {
    const request = this.ask(notify, notice);
    const reply = await notification[notify.activity].executeWithOptions({ ...AGENT_OPTIONS.notification, summary }, [request]);
    this.observer.notified(request, reply, verdict);
    return reply.parts[0].data;
  }
}
