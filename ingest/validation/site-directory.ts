import { SiteRegistry } from '../../site/index.js';

/** The sites this ingest worker owns (a county platform partitions sites over several workers). */
export class SiteDirectory {
  private readonly bySite = new Map<string, SiteRegistry>();

  constructor(registries: readonly SiteRegistry[]) {
    for (const registry of registries) {
      if (this.bySite.has(registry.siteId)) throw new Error(`site "${registry.siteId}" is configured twice`);
      this.bySite.set(registry.siteId, registry);
    }
  }

  static fromFiles(files: readonly string[]): SiteDirectory {
    return new SiteDirectory(files.map((file) => SiteRegistry.fromFile(file)));
  }

  siteIds(): string[] {
    return [...this.bySite.keys()];
  }

  site(id: string): SiteRegistry | undefined {
    return this.bySite.get(id);
  }

  /** Swaps in a site's new registry (a device was enrolled); messages validated from now on see it. */
  replace(registry: SiteRegistry): void {
    if (!this.bySite.has(registry.siteId))
      throw new Error(`site "${registry.siteId}" is not one of this worker's`);
    this.bySite.set(registry.siteId, registry);
  }
}
