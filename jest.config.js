// @swc/jest strips types without type-checking (tsc runs separately in `npm test`),
// which keeps the suite fast and works with any TypeScript version.
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  // jose (required by @a2a-js/sdk) ships ESM only; Node 20.19+ requires it natively, jest's module system does not.
  '/node_modules/jose/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};
const transformIgnorePatterns = ['/node_modules/(?!jose/)'];
module.exports = {
  // testTimeout is global in Jest (projects ignore it); unit tests finish in ms anyway.
  testTimeout: 240000,
  projects: [
    { displayName: 'unit', testEnvironment: 'node', transform, transformIgnorePatterns, testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      displayName: 'workflow',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/workflow/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
  ],
};
