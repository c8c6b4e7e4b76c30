// `regions.list` and `regions.setOutage`: the local regions' simulated outage switch.
import { ContractError, type LocalRegionStatus } from '../../contract/index.js';
import type { ReplicationHandlers } from '../command-handlers.js';
import type { LocalRegions } from '../regions-handle.js';
import type { EventHub } from '../emitter.js';

export function outageHandlers(o: {
  localRegions?: LocalRegions | undefined;
  events: EventHub;
  activity: (level: 'info' | 'warn' | 'error', message: string) => void;
}): Pick<ReplicationHandlers, 'regions.list' | 'regions.setOutage'> {
  const regionStatus = (): LocalRegionStatus[] => {
    const regions = o.localRegions;
    return (regions?.regions ?? []).map((r) => ({
      name: r.name,
      endpoint: r.endpoint,
      down: regions?.getFaults?.(r.name).down ?? false,
    }));
  };
  return {
    'regions.list': async () => regionStatus(),
    'regions.setOutage': async ({ region, down }) => {
      const regions = o.localRegions;
      if (!regions?.setFaults || !regions.regions.some((r) => r.name === region))
        throw new ContractError({
          code: 'NotFound',
          message: `There is no local region "${region}" to switch; outages can be simulated on the local regions only.`,
        });
      regions.setFaults(region, { down });
      o.activity(
        'warn',
        down ? `Simulated outage: ${region} is down` : `Simulated outage over: ${region} is up`,
      );
      const status = regionStatus();
      o.events.emit('regions.changed', status);
      return status;
    },
  };
}
