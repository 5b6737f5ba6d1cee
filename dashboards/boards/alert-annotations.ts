import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { BoardContext } from '../board-context.js';
import { fieldMatchesVariable, tagIn, tagMatchesVariable, type Condition } from '../query/condition.js';
import { influxQuery } from '../query/influx-query-builder.js';
import { from } from '../query/influx-select.js';
import { field, tag } from '../query/select-expression.js';
import type { VariableName } from '../variables.js';

/** The field carrying the alert's text in each language (`message_zh` is the zh boards'). */
export function alertTextField(ctx: BoardContext): 'message' | 'message_zh' {
  return ctx.lang === 'zh' ? 'message_zh' : 'message';
}

/** Name prefix of the annotations below; finishDashboard limits them to time-series panels. */
export const ALERT_ANNOTATION_PREFIX = '⚑ ';

/**
 * Alert history (the `alert` measurement alerting writes) as annotations: one per state
 * change kind, coloured like the state, scoped by the board's variables so a zone's
 * panels show that zone's alerts (and the device board that device's).
 */
export function alertAnnotations(
  ctx: BoardContext,
  variables: readonly VariableName[],
): dashboard.AnnotationQueryBuilder[] {
  const scope: Condition[] = [tagMatchesVariable('site')];
  if (variables.includes('zone')) scope.push(tagMatchesVariable('zone'));
  if (variables.includes('device')) scope.push(fieldMatchesVariable('device'));
  const states = [
    { state: 'firing', name: ctx.t('告警触发', 'Alert fired'), color: 'red' },
    { state: 'acknowledged', name: ctx.t('告警已确认', 'Alert acknowledged'), color: 'orange' },
    { state: 'resolved', name: ctx.t('告警已恢复', 'Alert resolved'), color: 'green' },
  ] as const;
  return states.map(({ state, name, color }) =>
    new dashboard.AnnotationQueryBuilder()
      .name(`${ALERT_ANNOTATION_PREFIX}${name}`)
      .datasource(ctx.datasource)
      .enable(true)
      .iconColor(color)
      .target(
        influxQuery(
          from('alert')
            .select(field(alertTextField(ctx)).as('text'), tag('severity'), tag('rule'), field('device'))
            .where(...scope, tagIn('state', [state])),
        )
          .refId('Anno')
          .datasource(ctx.datasource)
          .resultFormat('table'),
      )
      .mappings({
        text: new dashboard.AnnotationEventFieldMappingBuilder()
          .source(dashboard.AnnotationEventFieldSource.Field)
          .value('text'),
        tags: new dashboard.AnnotationEventFieldMappingBuilder()
          .source(dashboard.AnnotationEventFieldSource.Field)
          .value('severity'),
      }),
  );
}
