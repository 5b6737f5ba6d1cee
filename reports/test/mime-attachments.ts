export interface Attachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** The attachments of a multipart message as an SMTP server received it (base64 parts with a filename). */
export function attachmentsOf(
  raw: string,
): Array<{ filename: string; contentType: string; content: Buffer }> {
  const boundary = /boundary="?([^"\r\n;]+)"?/i.exec(raw)?.[1];
  if (!boundary) return [];
  return raw
    .split(`--${boundary}`)
    .map((part): Attachment | undefined => {
      const split = part.indexOf('\r\n\r\n');
      const head = part.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
      const filename = /filename="?([^";\r\n]+)"?/i.exec(head)?.[1];
      if (!filename || !/Content-Transfer-Encoding:\s*base64/i.test(head)) return undefined;
      const contentType = /Content-Type:\s*([^;\r\n]+)/i.exec(head)?.[1]?.trim() ?? '';
      return {
        filename,
        contentType,
        content: Buffer.from(part.slice(split + 4).replace(/\s+/g, ''), 'base64'),
      };
    })
    .filter((a): a is Attachment => a !== undefined);
}
