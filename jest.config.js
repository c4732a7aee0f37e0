/** @type {import('jest').Config} */
module.exports = {
  // Node's environment, plus the secrets check once each file is done (see test/setup/).
  testEnvironment: '<rootDir>/test/setup/secrets-environment.js',
  setupFilesAfterEnv: ['<rootDir>/test/setup/capture-secrets.ts'],
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: false }] },
  testTimeout: 20000,
  // Two cores here: keep workers low so loopback timing tests are not starved.
  maxWorkers: 2,
};
