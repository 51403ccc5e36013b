// Just enough TwiML: parse voice-webhook and call-update documents (<Start>, <Connect>, <Say>, <Dial>, <Hangup>),
// and build the <Connect><Stream> document ElevenLabs register-call returns.

export interface TwimlElement {
  name: string;
  attributes: Record<string, string>;
  children: TwimlElement[];
  /** The element's own text (e.g. what `<Say>` speaks, the number `<Dial>` calls), trimmed; '' when none. */
  text: string;
}

const TAG = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos);/g, (_m, entity: string) => {
    switch (entity) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      default:
        return "'";
    }
  });
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Parses the element tree with each element's text (comments and the XML declaration are ignored). Throws on unbalanced tags. */
export function parseTwiml(xml: string): TwimlElement {
  const root: TwimlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: TwimlElement[] = [root];
  const source = xml.replace(/<\?[\s\S]*?\?>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  let textStart = 0;
  for (const match of source.matchAll(TAG)) {
    const [, closing, name = '', attrText = '', selfClosing] = match;
    const parent = stack[stack.length - 1];
    if (!parent) throw new Error('TwiML: unbalanced tags');
    const text = decode(source.slice(textStart, match.index)).trim();
    if (text) parent.text = parent.text ? `${parent.text} ${text}` : text;
    textStart = match.index + match[0].length;
    if (closing) {
      if (parent.name !== name || stack.length === 1) throw new Error(`TwiML: unexpected </${name}>`);
      stack.pop();
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const a of attrText.matchAll(ATTRIBUTE)) {
      if (a[1]) attributes[a[1]] = decode(a[2] ?? a[3] ?? '');
    }
    const element: TwimlElement = { name, attributes, children: [], text: '' };
    parent.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length !== 1) throw new Error('TwiML: unclosed element');
  return root;
}

/** All elements at `path` (e.g. ['Response', 'Start', 'Transcription']) below the document root. */
export function selectAll(root: TwimlElement, path: readonly string[]): TwimlElement[] {
  let level: TwimlElement[] = [root];
  for (const name of path) level = level.flatMap((e) => e.children.filter((c) => c.name === name));
  return level;
}

/** What ElevenLabs register-call answers: connect the call's audio to the agent's media stream. */
export function registerCallTwiml(streamUrl: string, conversationId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<Response><Connect>' +
    `<Stream url="${escapeXml(streamUrl)}">` +
    `<Parameter name="conversation_id" value="${escapeXml(conversationId)}"/>` +
    '</Stream></Connect></Response>'
  );
}
