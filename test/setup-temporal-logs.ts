import { DefaultLogger, Runtime } from '@temporalio/worker';

// Keep test output readable: SDK errors only (expected retries log warnings); the native core prints its errors
// itself (forwarding them would keep a flush timer alive after the tests end).
Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } },
});
