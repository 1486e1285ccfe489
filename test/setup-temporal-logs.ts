import { DefaultLogger, Runtime } from '@temporalio/worker';

// Keep test output readable: SDK warnings and errors only; the native core prints its errors
// itself (forwarding them would keep a flush timer alive after the tests end).
Runtime.install({
  logger: new DefaultLogger('WARN'),
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } },
});
