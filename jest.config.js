// @swc/jest strips types without type-checking (tsc runs separately in `npm test`),
// which keeps the suite fast and works with any TypeScript version.
// Packages that ship ESM only: jest (on Node 20) can load them only compiled to CommonJS.
const ESM_ONLY = ['jose', '@kubernetes/client-node', 'openid-client', 'oauth4webapi', 'jsonpath-plus', 'rfc4648'].join('|');
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  // jose (required by @a2a-js/sdk) ships ESM only; Node 20.19+ requires it natively, jest's module system does not.
  // So do @kubernetes/client-node 1.x and the ESM-only packages it imports.
  [`/node_modules/(${ESM_ONLY})/.+\\.m?js$`]: ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};
const transformIgnorePatterns = [`/node_modules/(?!(${ESM_ONLY})/)`];
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
