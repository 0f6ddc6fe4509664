const swc = { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } };

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  // Once per run: Temporal dev server, a migrated template database, the workflow bundle.
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 30_000,
  // Each test file gets its own database cloned from the template, so files run in parallel.
  maxWorkers: 2,
  // The Temporal SDK's native bridge keeps a handle open after every worker and connection is closed
  // (sdk-typescript#928); every test closes what it opens, and this only ends that known handle.
  forceExit: true,
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
};
