import { INCIDENT_WORKFLOW_TYPE } from '../../../workflows/definitions';
import { incidentWorkflow } from '../../../workflows/incident';

describe('workflow definitions', () => {
  it('name the incident workflow as Temporal registers it (clients start it by this name)', () => {
    expect(incidentWorkflow.name).toBe(INCIDENT_WORKFLOW_TYPE);
  });
});
