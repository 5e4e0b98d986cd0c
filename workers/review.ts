import { reviewWorker } from '../activities/review/worker';
import { main } from './run-worker';

main(reviewWorker);
