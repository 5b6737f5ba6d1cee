import type { FastifyInstance } from 'fastify';
import type { AlertEngine } from '../engine/alert-engine.js';

export function registerRuleRoutes(app: FastifyInstance, engine: () => AlertEngine): void {
  app.get('/api/rules', async () => {
    const counts = new Map<string, { pending: number; firing: number; resolved: number }>();
    for (const alert of engine().alerts()) {
      const entry = counts.get(alert.ruleId) ?? { pending: 0, firing: 0, resolved: 0 };
      entry[alert.state] += 1;
      counts.set(alert.ruleId, entry);
    }
    return {
      rules: engine().rules.map((rule) => ({
        ...rule,
        counts: counts.get(rule.id) ?? { pending: 0, firing: 0, resolved: 0 },
      })),
    };
  });
}
