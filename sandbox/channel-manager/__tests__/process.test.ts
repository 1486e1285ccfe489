import { createLogger } from '../../../infra/logger';
import { startSandboxChannelsProcess } from '../../../infra/sandbox-channels-process';

test('scripts/sandbox-channels.ts runs as its own process: named channels, OTA endpoint and control API', async () => {
  const sandbox = await startSandboxChannelsProcess({ port: 0, channels: ['BOOKING', 'AGODA'] }, createLogger('silent'));
  try {
    const health = (await (await fetch(`${sandbox.url}/sandbox/health`)).json()) as { sandbox: boolean; channels: string[] };
    expect(health).toMatchObject({ sandbox: true, channels: ['BOOKING', 'AGODA'] });
    const push = `<OTA_HotelInvCountNotifRQ xmlns="http://www.opentravel.org/OTA/2003/05" EchoToken="p1" Version="1.0"><Inventories HotelCode="H1"><Inventory><StatusApplicationControl Start="2026-07-01" End="2026-07-02" InvTypeCode="DBL"/><InvCounts><InvCount CountType="2" Count="3"/></InvCounts></Inventory></Inventories></OTA_HotelInvCountNotifRQ>`;
    const res = await fetch(`${sandbox.url}/channels/AGODA/ota`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: push });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('EchoToken="p1"');
    const state = (await (await fetch(`${sandbox.url}/channels/AGODA/state?hotel=H1`)).json()) as { counts: unknown[] };
    expect(state.counts).toEqual([
      { roomType: 'DBL', date: '2026-07-01', count: 3 },
      { roomType: 'DBL', date: '2026-07-02', count: 3 },
    ]);
    expect((await fetch(`${sandbox.url}/channels/EXPEDIA/ota`, { method: 'POST', body: push })).status).toBe(404);
  } finally {
    await sandbox.stop();
  }
});
