import { loadConfig } from '../../api/config';
import { pushEndpointProblem } from '../../api/services/web-push.service';

/** Which browser push endpoints a production API accepts with its default list of push services. */
describe('pushEndpointProblem', () => {
  const production = {
    serviceHosts: loadConfig({
      DATABASE_URL: 'postgres://gigbit@127.0.0.1:5432/gigbit',
      ACCESS_TOKEN_SECRET: 'a'.repeat(32),
      PAYOUT_RAIL_WEBHOOK_SECRET: 'b'.repeat(32),
      DATA_ENCRYPTION_KEY: 'c'.repeat(32),
    }).webPushServiceHosts,
    allowHttp: false,
  };

  it.each([
    ['https://fcm.googleapis.com/fcm/send/dXk2…', undefined],
    ['https://updates.push.services.mozilla.com/wpush/v2/gAAA', undefined],
    ['https://web.push.apple.com/QGuQyavXutnMH', undefined],
    ['https://wns2-par02p.notify.windows.com/w/?token=BQYAAA', undefined],
    ['https://FCM.GoogleAPIs.com/fcm/send/x', undefined],
    ['http://fcm.googleapis.com/fcm/send/x', 'endpoint must be an https URL'],
    ['https://fcm.googleapis.com:22/fcm/send/x', 'endpoint must use the default https port'],
    ['https://fcm.googleapis.com:443/fcm/send/x', undefined],
    ['https://user:pw@fcm.googleapis.com/fcm/send/x', 'endpoint must be an https URL'],
    [
      'https://fcm.googleapis.com.evil.example/x',
      'endpoint is not at a known push service (fcm.googleapis.com.evil.example)',
    ],
    ['https://evilpush.apple.com.example/x', 'endpoint is not at a known push service (evilpush.apple.com.example)'],
    ['https://notify.windows.com/x', 'endpoint is not at a known push service (notify.windows.com)'],
    ['https://169.254.169.254/latest/meta-data/', 'endpoint is not at a known push service (169.254.169.254)'],
    ['https://127.0.0.1/v1/admin', 'endpoint is not at a known push service (127.0.0.1)'],
    ['https://127.0.0.1:3000/v1/admin', 'endpoint must use the default https port'],
    ['not a url', 'endpoint must be a URL'],
  ])('%s → %s', (endpoint, problem) => {
    expect(pushEndpointProblem(endpoint, production)).toBe(problem);
  });

  it('admits plain http only where a development stand-in is configured', () => {
    const development = { serviceHosts: ['127.0.0.1'], allowHttp: true };
    expect(pushEndpointProblem('http://127.0.0.1:4400/send/abc', development)).toBeUndefined();
    expect(pushEndpointProblem('http://127.0.0.2:4400/send/abc', development)).toBe(
      'endpoint is not at a known push service (127.0.0.2)',
    );
  });
});
