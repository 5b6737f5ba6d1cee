import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { BoardContext } from '../board-context.js';
import { NAMED_TAGS, type NamedTag } from './site-names.js';

/** The device board's uid without its language suffix; every device anywhere links to it. */
export const DEVICE_BOARD_UID = 'village-device';

interface PanelJson {
  type?: string;
  targets?: Array<{ alias?: string; query?: string }>;
  transformations?: dashboard.DataTransformerConfig[];
  fieldConfig?: { defaults?: { links?: unknown[] }; overrides?: unknown[] };
  panels?: PanelJson[];
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function deviceBoardUrl(ctx: BoardContext, deviceExpression: string): string {
  return `/d/${DEVICE_BOARD_UID}-${ctx.lang}/?var-site=\${site}&var-device=${deviceExpression}&\${__url_time_range}`;
}

/** Tags a series alias names (`$tag_zone`, `$tag_device $col`). */
function aliasTags(panel: PanelJson): NamedTag[] {
  const aliases = (panel.targets ?? []).map((t) => t.alias ?? '').join(' ');
  return NAMED_TAGS.filter((tag) => aliases.includes(`$tag_${tag}`));
}

/**
 * Series named by an id get the site file's name: one renameByRegex per id, anchored so
 * `maker-hall` never renames `maker-hall-power`, and keeping what follows the id (`$col`).
 */
function renames(ctx: BoardContext, tags: readonly NamedTag[]): dashboard.DataTransformerConfig[] {
  return tags.flatMap((tag) =>
    ctx.names
      .entities(tag)
      .filter((e) => e.name !== e.id)
      .map((e) => ({
        id: 'renameByRegex',
        options: { regex: `/^${escapeRegex(e.id)}( .*)?$/`, renamePattern: `${e.name}$1` },
      })),
  );
}

function seriesLinks(ctx: BoardContext, tags: readonly NamedTag[]): unknown[] {
  const links: unknown[] = [];
  if (tags.includes('device')) {
    links.push({
      title: ctx.t('设备详情', 'Device details'),
      url: deviceBoardUrl(ctx, '${__field.labels.device}'),
    });
  }
  if (tags.includes('zone')) {
    links.push({
      title: ctx.t('只看此功能区', 'This zone only'),
      url: '?var-site=${site}&var-zone=${__field.labels.zone}&${__url_time_range}',
    });
  }
  return links;
}

/** Table columns holding ids: shown by name (value mapping), a device cell links to its board. */
function columnOverrides(ctx: BoardContext, panel: PanelJson): unknown[] {
  const organize = panel.transformations?.find((t) => t.id === 'organize');
  const headers = ((organize?.options as { renameByName?: Record<string, string> } | undefined)
    ?.renameByName ?? {}) as Record<string, string>;
  const queries = (panel.targets ?? []).map((t) => t.query ?? '').join(' ');
  return NAMED_TAGS.filter((tag) => queries.includes(`"${tag}"`)).map((tag) => {
    const options: Record<string, { text: string; index: number }> = {};
    ctx.names.entities(tag).forEach((e, index) => (options[e.id] = { text: e.name, index }));
    const properties: Array<{ id: string; value: unknown }> = [
      { id: 'mappings', value: [{ type: 'value', options }] },
    ];
    if (tag === 'device') {
      properties.push({
        id: 'links',
        value: [{ title: ctx.t('设备详情', 'Device details'), url: deviceBoardUrl(ctx, '${__value.raw}') }],
      });
    }
    // The column's header after an organize rename; a groupBy before it names it `device (last)`.
    const column = Object.keys(headers).find((k) => k === tag || k.startsWith(`${tag} (`));
    return { matcher: { id: 'byName', options: column ? headers[column] : tag }, properties };
  });
}

/** Puts the site file's names (and device links) on every panel of a built dashboard. */
export function applySiteNames(built: dashboard.Dashboard, ctx: BoardContext): void {
  const panels = ((built.panels ?? []) as PanelJson[]).flatMap((p) => [p, ...(p.panels ?? [])]);
  for (const panel of panels) {
    if (panel.type === 'row') continue;
    panel.fieldConfig ??= {};
    panel.fieldConfig.defaults ??= {};
    if (panel.type === 'table') {
      panel.fieldConfig.overrides = [...(panel.fieldConfig.overrides ?? []), ...columnOverrides(ctx, panel)];
      continue;
    }
    const tags = aliasTags(panel);
    const renaming = renames(ctx, tags);
    if (renaming.length > 0) panel.transformations = [...renaming, ...(panel.transformations ?? [])];
    const links = seriesLinks(ctx, tags);
    if (links.length > 0)
      panel.fieldConfig.defaults.links = [...(panel.fieldConfig.defaults.links ?? []), ...links];
  }
}
