import type { DevicePlatform, DeviceToken, DeviceTokenRepository } from '../db/device-token.repository';
import { AppError } from '../errors';

/** A worker's push registrations (SPEC §11): the app registers its FCM token after sign-in and removes it on sign-out. */
export function createDeviceService(deps: { devices: DeviceTokenRepository }) {
  const { devices } = deps;
  return {
    /** Idempotent: the same token again refreshes it (`created` false); another worker's token moves here. */
    register(input: { workerId: string; token: string; platform: DevicePlatform }) {
      return devices.register(input);
    },

    list(workerId: string): Promise<DeviceToken[]> {
      return devices.listForWorker(workerId);
    },

    /** Only the worker's own: another worker's device is "not found", as if it did not exist. */
    async remove(input: { workerId: string; deviceId: string }): Promise<void> {
      if (!(await devices.deleteOwned(input.workerId, input.deviceId))) {
        throw AppError.notFound('Device');
      }
    },
  };
}

export type DeviceService = ReturnType<typeof createDeviceService>;
