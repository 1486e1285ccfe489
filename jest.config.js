/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['**/__tests__/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/.tools/', '/.data/', '/generated/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
    // ESM-only packages (jose; otplib's @noble/@scure crypto and base32) compiled to CommonJS for jest.
    '^.+/node_modules/(jose|@noble|@scure)/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(jose|@noble|@scure|@otplib|otplib)/)'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  setupFiles: ['<rootDir>/test/setup-temporal-logs.ts'],
  // Each Temporal suite starts its own server; two at a time suits a 2-core machine.
  maxWorkers: 2,
  testTimeout: 60_000,
  verbose: true,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
