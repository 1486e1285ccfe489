import { DefaultLogger, Runtime } from '@temporalio/worker';

// Keep test output readable: SDK warnings and errors only, native core logs routed through them.
Runtime.install({
  logger: new DefaultLogger('WARN'),
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
});
