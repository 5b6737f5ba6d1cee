import type { AddCredentialInput } from '../../broker/index.js';
import { loadSite, type Site } from '../../site/index.js';
import type { InitConfig } from './init-config.js';

export type ServiceAccount = AddCredentialInput & { password: string };

/** The broker accounts the compose services need, derived from the init config and the site files. */
export function serviceAccounts(config: InitConfig): ServiceAccount[] {
  const sites = config.siteFiles.map((file) => loadSite(file));
  const siteIds = [...new Set(sites.map((s) => s.site.id))];
  const { site, gatewayId } = gatewaySite(sites, config.gatewayId);
  return [
    { username: config.ingest.username, role: 'ingest', sites: siteIds, password: config.ingest.password },
    {
      username: config.alerting.username,
      role: 'alerting',
      sites: siteIds,
      password: config.alerting.password,
    },
    {
      username: config.gateway.username ?? gatewayId,
      role: 'gateway',
      sites: [site.site.id],
      gateway: gatewayId,
      password: config.gateway.password,
    },
  ];
}

function gatewaySite(sites: Site[], wanted: string | undefined): { site: Site; gatewayId: string } {
  for (const site of sites) {
    const gateway = wanted ? site.gateways.find((g) => g.id === wanted) : site.gateways[0];
    if (gateway) return { site, gatewayId: gateway.id };
  }
  throw new Error(wanted ? `no site file has a gateway "${wanted}"` : 'the site files name no gateway');
}
