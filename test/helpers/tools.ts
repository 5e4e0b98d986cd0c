import { toolPath } from '../../lib/tools';

/** The time-skipping test server installed by scripts/setup.sh (never downloaded by the SDK). */
export function testServerPath(): string {
  return toolPath('temporal-test-server', 'TEMPORAL_TEST_SERVER');
}

export function temporalCliPath(): string {
  return toolPath('temporal', 'TEMPORAL_CLI');
}
