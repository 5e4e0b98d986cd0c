import { Client, Connection } from '@temporalio/client';
import type { TemporalConfig } from './temporal-config';
import { connectionOptions } from './temporal-config';

export async function connectClient(cfg: TemporalConfig): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(cfg));
  return new Client({ connection, namespace: cfg.namespace });
}
