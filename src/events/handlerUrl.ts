// Which handler URLs events may be sent to: Bitrix's HandlerHelper::checkCallback, with
// loopback allowed (events.md §2.1 step 6; COMPATIBILITY.md, "Events"). The host must be a
// dotted name, an IP address or `localhost`, and the scheme http or https.
import { isIP } from 'node:net';

export type HandlerUrlProblem = 'wrongUrl' | 'unsupportedProtocol';

export function handlerUrlProblem(text: string): HandlerUrlProblem | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'wrongUrl';
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const hostOk = host !== '' && (host.indexOf('.') > 0 || host === 'localhost' || isIP(host) !== 0);
  if (!hostOk) return 'wrongUrl';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'unsupportedProtocol';
  return null;
}
