// @swc/jest strips types without type-checking (tsc runs separately in `npm test`),
// which keeps the suite fast and works with any TypeScript version.
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] };
module.exports = {
  // testTimeout is global in Jest (projects ignore it); unit tests finish in ms anyway.
  testTimeout: 240000,
  projects: [
    { displayName: 'unit', testEnvironment: 'node', transform, testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      displayName: 'workflow',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/workflow/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
  ],
};
