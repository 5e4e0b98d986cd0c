import { analysisWorker } from '../activities/analysis/worker';
import { main } from './run-worker';

main(analysisWorker);
