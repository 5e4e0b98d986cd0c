import { remediationWorker } from '../activities/remediation/worker';
import { main } from './run-worker';

main(remediationWorker);
