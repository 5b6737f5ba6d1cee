const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/**
 * Text made safe to put in an HTML page, inside an element or a quoted attribute. Every
 * page the platform serves (the operators' page, the gateway's status page, the monthly
 * report) shows names from site files people edit, so each goes through this one function.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}
