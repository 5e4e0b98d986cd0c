import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A port free on loopback right now (the OS picks it), for servers started by tests and the demo. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
