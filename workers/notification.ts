import { notificationWorker } from '../activities/notification/worker';
import { main } from './run-worker';

main(notificationWorker);
